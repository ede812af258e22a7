using Lookout.Core.Imaging;

namespace Lookout.Core.Inference.Detectors;

/// <summary>
/// CenterNet's decode, done in C# so it works for any batch (the graph's own <c>detections</c> output is batch-1 only):
/// a cell is a peak when its score equals the 3x3 max of its class channel (the in-graph max-pool equality); the top-K
/// peaks become boxes <c>[s·x−l, s·y−t, s·x+r, s·y+b]</c> in model-input pixels, s = input / grid (4 at 512).
/// </summary>
public static class CenterNetDecoder
{
    /// <param name="keypoints">One image's heatmap, NHWC flattened: [grid, grid, classes], sigmoid scores.</param>
    /// <param name="wh">One image's distances [grid, grid, 4] = left, top, right, bottom in input pixels.</param>
    /// <param name="inputSize">Model input side in pixels (512).</param>
    public static List<RawDetection> Decode(ReadOnlySpan<float> keypoints, ReadOnlySpan<float> wh, int classes, int inputSize, float minScore, int topK = 100)
    {
        int cells = wh.Length / 4;
        int grid = (int)Math.Round(Math.Sqrt(cells));
        if (grid * grid != cells || keypoints.Length != cells * classes)
            throw new ArgumentException($"CenterNet outputs do not match: keypoints {keypoints.Length}, wh {wh.Length}, {classes} classes.");
        float stride = (float)inputSize / grid;
        var peaks = new List<(int Index, float Score)>();
        for (int y = 0; y < grid; y++)
            for (int x = 0; x < grid; x++)
                for (int c = 0; c < classes; c++)
                {
                    int i = (y * grid + x) * classes + c;
                    float s = keypoints[i];
                    if (s < minScore || !IsPeak(keypoints, grid, classes, x, y, c, s)) continue;
                    peaks.Add((i, s));
                }
        // Score ties keep flattened (y, x, class) order, like the graph's sorted TopK.
        peaks.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Index.CompareTo(b.Index));
        var result = new List<RawDetection>(Math.Min(topK, peaks.Count));
        foreach (var (index, score) in peaks.Take(topK))
        {
            int c = index % classes, cell = index / classes, x = cell % grid, y = cell / grid;
            var d = wh.Slice(cell * 4, 4);
            float cx = stride * x, cy = stride * y;
            result.Add(new RawDetection(c, score, new BoxF(cx - d[0], cy - d[1], cx + d[2], cy + d[3])));
        }
        return result;
    }

    /// <summary>3x3 max-pool, stride 1, SAME (outside cells do not count) equals the value itself.</summary>
    private static bool IsPeak(ReadOnlySpan<float> k, int grid, int classes, int x, int y, int c, float s)
    {
        for (int dy = -1; dy <= 1; dy++)
        {
            int yy = y + dy;
            if (yy < 0 || yy >= grid) continue;
            for (int dx = -1; dx <= 1; dx++)
            {
                int xx = x + dx;
                if (xx < 0 || xx >= grid || (dx == 0 && dy == 0)) continue;
                if (k[(yy * grid + xx) * classes + c] > s) return false;
            }
        }
        return true;
    }
}
