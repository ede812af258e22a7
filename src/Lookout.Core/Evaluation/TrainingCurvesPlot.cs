using Lookout.Core.Training;
using ScottPlot;

namespace Lookout.Core.Evaluation;

/// <summary>Loss and accuracy per epoch (train and validation) from metrics.tsv rows.</summary>
public static class TrainingCurvesPlot
{
    /// <summary>Two PNGs: loss per epoch and accuracy per epoch, with the kept epoch marked.</summary>
    public static (byte[] Loss, byte[] Accuracy) RenderPng(IReadOnlyList<EpochMetrics> epochs, int bestEpoch = 0, int width = 480, int height = 320)
    {
        if (epochs.Count == 0) throw new ArgumentException("No epochs to plot.", nameof(epochs));
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
        var loss = new Plot();
        Panel(loss, "loss", x, epochs.Select(e => e.TrainLoss), epochs.Select(e => e.ValLoss), bestEpoch);
        var acc = new Plot();
        Panel(acc, "accuracy", x, epochs.Select(e => e.TrainAccuracy), epochs.Select(e => e.ValAccuracy), bestEpoch);
        return (loss.GetImageBytes(width, height, ImageFormat.Png), acc.GetImageBytes(width, height, ImageFormat.Png));
    }

    private static void Panel(Plot plt, string title, double[] x, IEnumerable<double> train, IEnumerable<double> val, int bestEpoch)
    {
        var t = plt.Add.Scatter(x, train.ToArray());
        t.LegendText = "train";
        t.MarkerSize = 0;
        var v = val.ToArray();
        if (v.Any(d => !double.IsNaN(d)))
        {
            var s = plt.Add.Scatter(x, v);
            s.LegendText = "validation";
            s.MarkerSize = 0;
        }
        if (bestEpoch > 0)
        {
            var line = plt.Add.VerticalLine(bestEpoch);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"kept (epoch {bestEpoch})";
        }
        plt.Title(title);
        plt.XLabel("epoch");
        plt.ShowLegend();
    }
}
