using ScottPlot;

namespace Lookout.Core.Evaluation;

/// <summary>Draws the confusion matrix (rows true, columns predicted, row-normalised colour, counts written in cells) as a PNG.</summary>
public static class ConfusionMatrixPlot
{
    public static void SavePng(EvaluationReport r, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp.png");
        File.WriteAllBytes(tmp, RenderPng(r));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The same heatmap as PNG bytes (for embedding in the HTML report).</summary>
    public static byte[] RenderPng(EvaluationReport r)
    {
        int c = r.Labels.Count;
        var norm = new double[c, c];
        for (int i = 0; i < c; i++)
        {
            double rowSum = Math.Max(1, r.Confusion[i].Sum());
            for (int j = 0; j < c; j++) norm[i, j] = r.Confusion[i][j] / rowSum;
        }
        var plt = new Plot();
        var hm = plt.Add.Heatmap(norm);
        hm.Colormap = new ScottPlot.Colormaps.Blues().Reversed(); // ScottPlot's Blues runs dark -> light; high counts should be dark
        // With ScottPlot's default centre alignment the extent spans cell centres: cells sit on integers 0..c-1.
        // Data row 0 is drawn at the top, y = c - 1.
        hm.Extent = new CoordinateRect(0, Math.Max(c - 1, 1), 0, Math.Max(c - 1, 1));
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++)
            {
                var t = plt.Add.Text(r.Confusion[i][j].ToString(System.Globalization.CultureInfo.InvariantCulture), j, c - 1 - i);
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontColor = norm[i, j] > 0.5 ? Colors.White : Colors.Black;
                t.LabelFontSize = c > 12 ? 9 : 14;
            }
        double[] ticks = Enumerable.Range(0, c).Select(i => (double)i).ToArray();
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, r.Labels.ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, r.Labels.Reverse().ToArray());
        plt.Axes.Bottom.TickLabelStyle.Rotation = c > 4 ? 45 : 0;
        plt.Axes.Bottom.TickLabelStyle.Alignment = c > 4 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plt.Axes.SetLimits(-0.5, c - 0.5, -0.5, c - 0.5);
        plt.XLabel("predicted");
        plt.YLabel("true");
        plt.Title($"{r.Split}: accuracy {ReportText.Pct(r.Accuracy)} ({r.Correct}/{r.Count})");
        int size = Math.Clamp(120 + 60 * c, 420, 1600);
        return plt.GetImageBytes(size, size, ImageFormat.Png);
    }
}
