using Lookout.Core.Imaging;

namespace Lookout.Core.Training.Detection;

/// <summary>
/// ATSS (Zhang et al. 2020; NanoDet's assigner): for each truth box, the <see cref="TopK"/> cells nearest its centre on
/// every level are candidates; their square anchors (5 strides wide) are compared with the box by IoU, and those at or
/// above the mean + standard deviation of the candidates' IoUs whose centre lies inside the box become positives. A
/// cell claimed by several boxes goes to the one it overlaps most. No tuned thresholds, so it suits any object size.
/// </summary>
public static class AtssAssigner
{
    public const int TopK = 9;
    public const float AnchorScale = 5f;

    /// <returns>Per cell the index of its truth box, or -1 for background.</returns>
    public static int[] Assign(AnchorGrid grid, IReadOnlyList<TrainBox> truth)
    {
        var assigned = new int[grid.Count];
        Array.Fill(assigned, -1);
        var bestIoU = new float[grid.Count];
        for (int g = 0; g < truth.Count; g++)
        {
            var box = truth[g].Box;
            var candidates = new List<int>();
            for (int l = 0; l < AnchorGrid.Strides.Length; l++)
            {
                int start = grid.LevelStart[l], end = l + 1 < grid.LevelStart.Count ? grid.LevelStart[l + 1] : grid.Count;
                candidates.AddRange(Enumerable.Range(start, end - start)
                    .OrderBy(i => Sq(grid.CenterX[i] - box.CenterX) + Sq(grid.CenterY[i] - box.CenterY)).ThenBy(i => i).Take(TopK));
            }
            var ious = candidates.Select(i => AnchorBox(grid, i).IoU(box)).ToArray();
            double mean = ious.Average();
            double std = ious.Length > 1 ? Math.Sqrt(ious.Sum(v => (v - mean) * (v - mean)) / (ious.Length - 1)) : 0;
            double threshold = mean + std;
            for (int k = 0; k < candidates.Count; k++)
            {
                int i = candidates[k];
                if (ious[k] < threshold || !Inside(grid.CenterX[i], grid.CenterY[i], box)) continue;
                if (assigned[i] >= 0 && bestIoU[i] >= ious[k]) continue;
                assigned[i] = g;
                bestIoU[i] = ious[k];
            }
        }
        return assigned;
    }

    public static BoxF AnchorBox(AnchorGrid grid, int i)
    {
        float half = grid.Stride[i] * AnchorScale / 2;
        return new BoxF(grid.CenterX[i] - half, grid.CenterY[i] - half, grid.CenterX[i] + half, grid.CenterY[i] + half);
    }

    private static bool Inside(float x, float y, BoxF b) => Math.Min(Math.Min(x - b.X1, y - b.Y1), Math.Min(b.X2 - x, b.Y2 - y)) > 0.01f;

    private static float Sq(float v) => v * v;
}
