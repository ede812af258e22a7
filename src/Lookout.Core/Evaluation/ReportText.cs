using System.Globalization;
using System.Text;
using Lookout.Core.IO;

namespace Lookout.Core.Evaluation;

/// <summary>Renders a report as Markdown (for eval.md) or as a plain aligned text table (for terminals).</summary>
public static class ReportText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Pct(double v) => double.IsNaN(v) ? "-" : (100 * v).ToString("0.0", Inv) + "%";
    public static string Ci(Interval i) => $"[{Pct(i.Low)}, {Pct(i.High)}]";

    public static string Markdown(EvaluationReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Evaluation of {r.Model} on {r.Split}").AppendLine();
        sb.AppendLine($"- Accuracy: **{Pct(r.Accuracy)}** ({r.Correct}/{r.Count}), 95% CI {Ci(r.AccuracyCi)}");
        if (r.MissingClassesNote is { } missing) sb.AppendLine($"- **Warning:** {Esc(missing)}");
        foreach (var k in r.TopK.Where(k => k.K > 1))
            sb.AppendLine($"- Top-{k.K} accuracy: {Pct(k.Accuracy)} ({k.Correct}/{r.Count}), 95% CI {Ci(k.Ci)}");
        sb.AppendLine($"- Macro F1: {r.MacroF1.ToString("0.000", Inv)}; log loss: {r.LogLoss.ToString("0.000", Inv)}");
        if (r.CalledUnknown is { } u) sb.AppendLine($"- Answered \"unknown\" by the calibrated thresholds: {u} of {r.Count} ({Pct(r.Count == 0 ? double.NaN : (double)u / r.Count)})");
        if (r.Errors.Count > 0) sb.AppendLine($"- Not scored: {r.Errors.Count} item(s) (see below)");
        sb.AppendLine().AppendLine("## Per class").AppendLine();
        sb.AppendLine("| Class | Support | Precision | 95% CI | Recall | 95% CI | F1 |");
        sb.AppendLine("|---|---:|---:|---|---:|---|---:|");
        foreach (var m in r.PerClass)
            sb.AppendLine($"| {Esc(m.Label)} | {m.Support} | {Pct(m.Precision)} | {Ci(m.PrecisionCi)} | {Pct(m.Recall)} | {Ci(m.RecallCi)} | {m.F1.ToString("0.000", Inv)} |");
        sb.AppendLine().AppendLine("## Confusion matrix (rows: true, columns: predicted)").AppendLine();
        sb.AppendLine("| true \\ predicted | " + string.Join(" | ", r.Labels.Select(Esc)) + " |");
        sb.AppendLine("|---|" + string.Concat(r.Labels.Select(_ => "---:|")));
        for (int i = 0; i < r.Labels.Count; i++)
            sb.AppendLine($"| {Esc(r.Labels[i])} | " + string.Join(" | ", r.Confusion[i]) + " |");
        if (r.MostConfused.Count > 0)
        {
            sb.AppendLine().AppendLine("## Most confused").AppendLine();
            foreach (var p in r.MostConfused) sb.AppendLine($"- {Esc(p.Actual)} predicted as {Esc(p.Predicted)}: {p.Count}");
        }
        if (r.TopLosses.Count > 0)
        {
            sb.AppendLine().AppendLine("## Top losses").AppendLine();
            sb.AppendLine("| File | True | Predicted | Score | P(true) | Loss |").AppendLine("|---|---|---|---:|---:|---:|");
            foreach (var t in r.TopLosses)
                sb.AppendLine($"| {Esc(t.Path)} | {Esc(t.Label)} | {Esc(t.Predicted)} | {t.Score.ToString("0.000", Inv)} | {t.TrueProbability.ToString("0.000", Inv)} | {t.Loss.ToString("0.00", Inv)} |");
        }
        if (r.Errors.Count > 0)
        {
            sb.AppendLine().AppendLine("## Not scored").AppendLine();
            foreach (var e in r.Errors) sb.AppendLine($"- {Esc(e.Path)}: {Esc(e.Reason)}");
        }
        return sb.ToString();
    }

    /// <summary>Summary and per-class table, aligned for a monospace terminal.</summary>
    public static string Table(EvaluationReport r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{r.Split}: accuracy {Pct(r.Accuracy)} ({r.Correct}/{r.Count}) 95% CI {Ci(r.AccuracyCi)}, macro F1 {r.MacroF1.ToString("0.000", Inv)}");
        if (r.MissingClassesNote is { } missing) sb.AppendLine("warning: " + missing);
        string[] header = ["class", "support", "precision", "recall", "f1"];
        var rows = r.PerClass.Select(m => new[] { m.Label, m.Support.ToString(Inv), Pct(m.Precision), Pct(m.Recall), m.F1.ToString("0.000", Inv) }).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(x => x[c].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((s, c) => c == 0 ? s.PadRight(widths[c]) : s.PadLeft(widths[c]))).TrimEnd();
        sb.AppendLine(Line(header));
        foreach (var row in rows) sb.AppendLine(Line(row));
        foreach (var p in r.MostConfused.Take(5)) sb.AppendLine($"confused: {p.Actual} -> {p.Predicted} x{p.Count}");
        if (r.CalledUnknown is { } u) sb.AppendLine($"answered unknown: {u} of {r.Count} (counted above by their top class)");
        if (r.Errors.Count > 0) sb.AppendLine($"not scored: {r.Errors.Count}");
        return sb.ToString();
    }

    /// <summary>
    /// Label or path text for a Markdown table cell or list item: a line break or control character (which would end the
    /// row) is shown as <c>\uXXXX</c>, and what Markdown or its inline HTML would interpret is escaped.
    /// </summary>
    public static string Esc(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (FileNames.IsBreaking(c)) sb.Append(Inv, $"\\u{(int)c:X4}");
            else if (c == '<') sb.Append("&lt;");
            else if (c == '>') sb.Append("&gt;");
            else if (c == '&') sb.Append("&amp;");
            else if ("\\|*`[]".Contains(c)) sb.Append('\\').Append(c);
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
