using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Training.Detection;

/// <summary>
/// Appends NanoDet's decode and class-aware NMS to a class-sized NanoDet graph (<see cref="NanoDetGraph"/>), so the
/// exported file answers final boxes that plain ONNX Runtime (or any runtime with opset-11+ NonMaxSuppression) can use:
/// <list type="bullet">
/// <item><c>boxes</c> float [K,4]: x1,y1,x2,y2 in the model input's pixels (the letterboxed/stretched image);</item>
/// <item><c>scores</c> float [K], <c>classes</c> int64 [K] (index into <c>lookout.labels</c>);</item>
/// <item><c>batch_index</c> int64 [K]: which image of the batch each box belongs to (inputs are [N,S,S,3], N ≥ 1).</item>
/// </list>
/// The decode is the GFL integral (softmax over 11 bins per side, Σ p_i·i, times the level's stride) around each
/// cell's centre <c>stride·(x+0.5, y+0.5)</c>, exactly as <see cref="Inference.Detectors.NanoDetDecoder"/> does in C#.
/// The thresholds are optional inputs with defaults (initializers of the same name), so a caller may override them:
/// <c>score_threshold</c> float [1], <c>iou_threshold</c> float [1], <c>max_per_class</c> int64 [1].
/// Boxes come out grouped by image then class, best first within a class (ONNX NonMaxSuppression's order).
/// </summary>
public static class DetectionPostprocessGraph
{
    private const string Boxes = InGraphDetectionRunner.Boxes, Scores = InGraphDetectionRunner.Scores,
        Classes = InGraphDetectionRunner.Classes, BatchIndex = InGraphDetectionRunner.BatchIndex;
    private const string ScoreThreshold = InGraphDetectionRunner.ScoreThreshold, IouThreshold = InGraphDetectionRunner.IouThreshold,
        MaxPerClass = InGraphDetectionRunner.MaxPerClass;

    /// <summary>A copy of <paramref name="model"/> (raw NanoDet heads out) whose outputs are final detections.</summary>
    public static OnnxModel Append(OnnxModel model, float scoreThreshold, float iouThreshold, int maxPerClass)
    {
        int size = NanoDetGraph.InputSize(model);
        var levels = NanoDetGraph.Levels(model);
        var copy = NanoDetGraph.WithBatchAnySize(model);
        var g = copy.Graph;
        var b = new OnnxGraphBuilder(g, "post_");
        var grid = new AnchorGrid(size);
        int anchors = grid.Count, bins = DetectionLoss.Bins;

        // [N,A,C] sigmoid scores and [N,A,4·bins] side logits, levels in stride order (the anchor grid's order).
        var cls = b.Node("Concat", levels.Select(l => l.ClsOutput).ToList(), OnnxAttribute.Of("axis", 1L));
        var reg = b.Node("Concat", levels.Select(l => l.RegOutput).ToList(), OnnxAttribute.Of("axis", 1L));
        var sides = b.Node("Reshape", [reg, b.Int64s("sides_shape", [0, anchors, 4, bins], 4)]);
        var probs = b.Node("Softmax", [sides], OnnxAttribute.Of("axis", -1L));
        var binValues = Enumerable.Range(0, bins).Select(i => (float)i).ToArray();
        var expected = b.Node("MatMul", [probs, b.Floats("bin_values", binValues, bins, 1)]);                  // [N,A,4,1]
        var distances = b.Node("Reshape", [expected, b.Int64s("distances_shape", [0, anchors, 4], 3)]);        // stride units
        // box = centre + stride·d·(−1,−1,+1,+1): one Mul by a per-anchor signed stride, one Add of the centres.
        var signedStride = new float[anchors * 4];
        var centres = new float[anchors * 4];
        for (int a = 0; a < anchors; a++)
        {
            float s = grid.Stride[a];
            (signedStride[a * 4], signedStride[a * 4 + 1], signedStride[a * 4 + 2], signedStride[a * 4 + 3]) = (-s, -s, s, s);
            (centres[a * 4], centres[a * 4 + 1], centres[a * 4 + 2], centres[a * 4 + 3]) = (grid.CenterX[a], grid.CenterY[a], grid.CenterX[a], grid.CenterY[a]);
        }
        var offsets = b.Node("Mul", [distances, b.Floats("signed_stride", signedStride, anchors, 4)]);
        var allBoxes = b.Node("Add", [offsets, b.Floats("anchor_centres", centres, anchors, 4)]);           // [N,A,4]
        var perClass = b.Node("Transpose", [cls], OnnxAttribute.Of("perm", 0L, 2L, 1L));                        // [N,C,A]

        g.Inputs.Add(new OnnxValueInfo(ScoreThreshold, OnnxDataType.Float, [1]));
        g.Inputs.Add(new OnnxValueInfo(IouThreshold, OnnxDataType.Float, [1]));
        g.Inputs.Add(new OnnxValueInfo(MaxPerClass, OnnxDataType.Int64, [1]));
        g.Initializers.Add(OnnxTensor.FromFloats(ScoreThreshold, [scoreThreshold], 1));
        g.Initializers.Add(OnnxTensor.FromFloats(IouThreshold, [iouThreshold], 1));
        g.Initializers.Add(OnnxTensor.FromInt64s(MaxPerClass, [maxPerClass], 1));
        b.Reserve([ScoreThreshold, IouThreshold, MaxPerClass]);

        // [K,3] rows of (image, class, anchor).
        var selected = b.Node("NonMaxSuppression", [allBoxes, perClass, MaxPerClass, IouThreshold, ScoreThreshold]);
        b.NodeNamed("Gather", [selected, b.Int64s("col_batch", [0])], [BatchIndex], OnnxAttribute.Of("axis", 1L));
        b.NodeNamed("Gather", [selected, b.Int64s("col_class", [1])], [Classes], OnnxAttribute.Of("axis", 1L));
        b.NodeNamed("GatherND", [perClass, selected], [Scores]);
        var imageAnchor = b.Node("Gather", [selected, b.Int64s("cols_batch_anchor", [0, 2], 2)], OnnxAttribute.Of("axis", 1L));
        b.NodeNamed("GatherND", [allBoxes, imageAnchor], [Boxes]);

        g.Outputs.Clear();
        g.Outputs.Add(new OnnxValueInfo(Boxes, OnnxDataType.Float, ["K", 4]));
        g.Outputs.Add(new OnnxValueInfo(Scores, OnnxDataType.Float, ["K"]));
        g.Outputs.Add(new OnnxValueInfo(Classes, OnnxDataType.Int64, ["K"]));
        g.Outputs.Add(new OnnxValueInfo(BatchIndex, OnnxDataType.Int64, ["K"]));
        return copy;
    }
}
