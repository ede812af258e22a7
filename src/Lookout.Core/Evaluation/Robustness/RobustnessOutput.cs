using System.Globalization;
using System.Text;
using System.Text.Json;
using Lookout.Core.IO;
using ScottPlot;

namespace Lookout.Core.Evaluation.Robustness;

/// <summary>Renders a <see cref="RobustnessReport"/>: JSON (the data), a text table, and one PNG with a panel per corruption.</summary>
public static class RobustnessOutput
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string ToJson(RobustnessReport r) => JsonSerializer.Serialize(r, Json);

    public static RobustnessReport? FromJson(string json) => JsonSerializer.Deserialize<RobustnessReport>(json, Json);

    /// <summary>Writes robustness.json and robustness.png into <paramref name="dir"/> (atomically).</summary>
    public static void Save(RobustnessReport r, string dir)
    {
        AtomicFile.WriteAllText(Path.Combine(dir, RobustnessReport.JsonFile), ToJson(r));
        AtomicFile.WriteAllBytes(Path.Combine(dir, RobustnessReport.PngFile), RenderPng(r));
    }

    public static string Table(RobustnessReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"robustness on {r.Split} ({r.Images} images): accuracy per corruption level, 95% intervals in the JSON");
        foreach (var c in r.Curves)
            sb.AppendLine($"{c.Corruption,-10} ({c.Unit}): " + string.Join("  ", c.Points.Select(p => $"{p.Level.ToString("0.##", Inv)}: {ReportText.Pct(p.Accuracy)}")));
        var worst = r.Drops().FirstOrDefault();
        if (worst.Corruption is not null && worst.Drop > 0)
            sb.AppendLine($"breaks most under {worst.Corruption} {worst.Point.Level.ToString("0.##", Inv)}: {ReportText.Pct(r.Curves.First(c => c.Corruption == worst.Corruption).Points[0].Accuracy)} -> {ReportText.Pct(worst.Point.Accuracy)}");
        return sb.ToString();
    }

    /// <summary>A grid of panels (three across): accuracy against level for each corruption, the clean accuracy dashed.</summary>
    public static byte[] RenderPng(RobustnessReport r, int panelWidth = 320, int panelHeight = 220)
    {
        var panels = r.Curves.Select(c =>
        {
            var plot = new Plot();
            var xs = c.Points.Select((_, i) => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, c.Points.Select(p => 100 * p.Accuracy).ToArray());
            line.MarkerSize = 5;
            var clean = plot.Add.HorizontalLine(100 * c.Points[0].Accuracy);
            clean.LinePattern = LinePattern.Dashed;
            plot.Axes.Bottom.SetTicks(xs, [.. c.Points.Select(p => p.Level.ToString("0.##", Inv))]);
            plot.Axes.SetLimitsY(0, 100);
            plot.Title(c.Corruption);
            plot.XLabel(c.Unit);
            plot.YLabel("accuracy %");
            return NetVips.Image.NewFromBuffer(plot.GetImageBytes(panelWidth, panelHeight, ImageFormat.Png));
        }).ToArray();
        try
        {
            using var grid = NetVips.Image.Arrayjoin(panels, across: Math.Min(3, panels.Length));
            return grid.PngsaveBuffer();
        }
        finally { foreach (var p in panels) p.Dispose(); }
    }
}
