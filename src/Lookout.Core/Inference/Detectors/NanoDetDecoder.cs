using Lookout.Core.Imaging;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// NanoDet (GFL head) decode for one stride level: each cell has sigmoid class scores and, per side (left, top,
/// right, bottom), a distribution over <c>bins</c> distances 0..bins−1 in stride units. Distance = stride · Σ p_i·i
/// with p = softmax of the side's logits (the GFL "integral"); centre = stride·(x+0.5, y+0.5). Boxes are in
/// model-input pixels.
/// </summary>
public static class NanoDetDecoder
{
    public const int Bins = 11;

    /// <param name="scores">[cells, classes] sigmoid scores of one image at one level.</param>
    /// <param name="regression">[cells, 4·bins] side-major distribution logits of the same cells.</param>
    public static List<RawDetection> DecodeLevel(ReadOnlySpan<float> scores, ReadOnlySpan<float> regression, int classes, int inputSize, float minScore)
    {
        int cells = scores.Length / classes;
        int grid = (int)Math.Round(Math.Sqrt(cells));
        if (grid * grid != cells || regression.Length != cells * 4 * Bins)
            throw new ArgumentException($"NanoDet level outputs do not match: scores {scores.Length}, regression {regression.Length}, {classes} classes.");
        float stride = (float)inputSize / grid;
        var result = new List<RawDetection>();
        Span<float> d = stackalloc float[4];
        for (int cell = 0; cell < cells; cell++)
        {
            var row = scores.Slice(cell * classes, classes);
            bool decoded = false;
            for (int c = 0; c < classes; c++)
            {
                if (row[c] < minScore) continue;
                if (!decoded)
                {
                    for (int side = 0; side < 4; side++)
                        d[side] = stride * Expectation(regression.Slice((cell * 4 + side) * Bins, Bins));
                    decoded = true;
                }
                float cx = stride * (cell % grid + 0.5f), cy = stride * (cell / grid + 0.5f);
                result.Add(new RawDetection(c, row[c], new BoxF(cx - d[0], cy - d[1], cx + d[2], cy + d[3])));
            }
        }
        return result;
    }

    /// <summary>Σ softmax(logits)_i · i, computed stably (max subtracted).</summary>
    public static float Expectation(ReadOnlySpan<float> logits)
    {
        float max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0, weighted = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double e = Math.Exp(logits[i] - max);
            sum += e;
            weighted += e * i;
        }
        return (float)(weighted / sum);
    }
}
