using Lookout.Core.Inference.Detectors;
using Lookout.Core.Imaging;

namespace Lookout.Core.Inference.Faces;

/// <summary>A face found by BlazeFace: box and six landmarks (eyes, nose, mouth, ears) in original-image pixels.</summary>
public sealed record FaceDetection(float Score, BoxF Box, IReadOnlyList<(float X, float Y)> Landmarks)
{
    /// <summary>The crop the descriptor model sees: square, 1.4x the box about its centre (upstream human's choice).</summary>
    public BoxF CropBox => Box.SquareEnlarged(BlazeFaceDecoder.CropEnlarge);

    public FaceDetection Scaled(float sx, float sy) =>
        new(Score, Box.Scale(sx, sy), Landmarks.Select(p => (p.X * sx, p.Y * sy)).ToList());
}

/// <summary>How model-input pixels map back to image pixels: image = (input − Offset) · Scale, per axis.</summary>
public readonly record struct InputMapping(float ScaleX, float ScaleY, float OffsetX = 0, float OffsetY = 0)
{
    public (float X, float Y) Map(float x, float y) => ((x - OffsetX) * ScaleX, (y - OffsetY) * ScaleY);

    public BoxF Map(BoxF b)
    {
        var (x1, y1) = Map(b.X1, b.Y1);
        var (x2, y2) = Map(b.X2, b.Y2);
        return new BoxF(x1, y1, x2, y2);
    }
}

/// <summary>
/// MediaPipe BlazeFace (back camera, 256 px) decode: 896 anchors, the 16x16 grid (stride 16, 2 anchors per cell)
/// then the 8x8 grid (stride 32, 6 per cell), each row-major (gy, gx, anchor) with centre (s(gx+.5), s(gy+.5)).
/// Row r of the regressors gives centre (r0+ax, r1+ay), size (r2, r3) and landmarks (r[4+2k]+ax, r[5+2k]+ay),
/// all in input pixels; the score is sigmoid(logit).
/// </summary>
public static class BlazeFaceDecoder
{
    public const int InputSize = 256;
    public const float CropEnlarge = 1.4f;
    public const int Values = 16;

    /// <summary>Anchor centres in input pixels, in output row order.</summary>
    public static IReadOnlyList<(float X, float Y)> Anchors { get; } = BuildAnchors();

    private static List<(float, float)> BuildAnchors()
    {
        var anchors = new List<(float, float)>(896);
        foreach (var (grid, stride, perCell) in new[] { (16, 16, 2), (8, 32, 6) })
            for (int gy = 0; gy < grid; gy++)
                for (int gx = 0; gx < grid; gx++)
                    for (int a = 0; a < perCell; a++)
                        anchors.Add((stride * (gx + 0.5f), stride * (gy + 0.5f)));
        return anchors;
    }

    /// <summary>
    /// Faces above <paramref name="minScore"/>, NMS'd at <paramref name="nmsIoU"/>, best first; boxes and landmarks
    /// are mapped from the 256 input back to the image by <paramref name="toImage"/>.
    /// </summary>
    /// <param name="logits">The 896 logits (16x16 rows then 8x8 rows).</param>
    /// <param name="regressors">The 896 x 16 regressor rows in the same order.</param>
    public static List<FaceDetection> Decode(ReadOnlySpan<float> logits, ReadOnlySpan<float> regressors, InputMapping toImage,
        float minScore, float nmsIoU, int maxFaces)
    {
        if (logits.Length != Anchors.Count || regressors.Length != Anchors.Count * Values)
            throw new ArgumentException($"BlazeFace outputs must have {Anchors.Count} rows, got {logits.Length} logits and {regressors.Length / Values} regressor rows.");
        var candidates = new List<(RawDetection Raw, int Row)>();
        for (int i = 0; i < logits.Length; i++)
        {
            float score = 1 / (1 + MathF.Exp(-Math.Clamp(logits[i], -80, 80)));
            if (score < minScore) continue;
            var r = regressors.Slice(i * Values, Values);
            var (ax, ay) = Anchors[i];
            var box = BoxF.FromCenter(r[0] + ax, r[1] + ay, r[2], r[3]);
            candidates.Add((new RawDetection(0, score, box), i));
        }
        var kept = Nms.Apply(candidates.Select(c => c.Raw), nmsIoU, maxFaces, perClass: false);
        var result = new List<FaceDetection>(kept.Count);
        foreach (var k in kept)
        {
            int row = candidates.First(c => c.Raw == k).Row;
            var r = regressors.Slice(row * Values, Values);
            var (ax, ay) = Anchors[row];
            var landmarks = new (float, float)[6];
            for (int j = 0; j < 6; j++) landmarks[j] = toImage.Map(r[4 + 2 * j] + ax, r[5 + 2 * j] + ay);
            result.Add(new FaceDetection(k.Score, toImage.Map(k.Box), landmarks));
        }
        return result;
    }
}
