using System.Globalization;
using System.Net;
using System.Text;
using Lookout.Core.Evaluation;

namespace Lookout.Core.Pipelines.Report;

/// <summary>
/// Formats <see cref="RunReportData"/> as ONE self-contained HTML file: inline CSS, images as data: URIs, no
/// scripts and no external requests, so it can be mailed, archived or opened offline. Every label, path and
/// message goes through <see cref="E"/> (HTML-encoded): a folder named <c>&lt;script&gt;</c> stays text.
/// </summary>
public static class HtmlReportRenderer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Render(RunReportData d)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Lookout run ").Append(E(d.RunId)).Append("</title>\n<style>")
          .Append(Css).Append("</style></head><body>\n");
        Header(sb, d);
        Dataset(sb, d);
        Metrics(sb, d);
        WalkthroughSection.Append(sb, d.Walkthroughs);
        Confusion(sb, d);
        Robustness(sb, d);
        Gallery(sb, "top-losses", "Top losses", "The test images the model was most wrong about (true → predicted, score).", d.TopLosses);
        SpotChecks(sb, d);
        Preprocess(sb, d);
        Curves(sb, d);
        Issues(sb, d);
        Gallery(sb, "gradcam", "Grad-CAM on misclassified images", "Where the model looked when it chose the wrong class (red = most influence).", d.GradCams);
        Unknown(sb, d);
        if (d.OptionsJson is { } o) sb.Append("<section id=\"options\"><h2>Training options</h2><pre>").Append(E(o)).Append("</pre></section>\n");
        sb.Append("<footer>Generated ").Append(E(d.Generated.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv))).Append(" by Lookout.</footer>\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>HTML-encodes text for element content and quoted attributes.</summary>
    public static string E(string? s) => WebUtility.HtmlEncode(s ?? "");

    private static void Header(StringBuilder sb, RunReportData d)
    {
        var m = d.Manifest;
        sb.Append("<header><h1>Run ").Append(E(d.RunId)).Append("</h1><dl>");
        Pair(sb, "created", m?.Created.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv));
        Pair(sb, "backbone", m?.Backbone);
        Pair(sb, "code version", m?.CodeVersion);
        Pair(sb, "dataset hash", m?.DatasetHash is { Length: > 16 } h ? h[..16] : m?.DatasetHash);
        Pair(sb, "seed", m?.Seed.ToString(Inv));
        if (d.Test is { } t) Pair(sb, "test accuracy", $"{Pct(t.Accuracy)} ({t.Correct}/{t.Count}), 95% CI {Ci(t.AccuracyCi)}");
        sb.Append("</dl>");
        var notes = d.Test?.MissingClassesNote is { } missing ? [.. d.Notes, "Warning: " + missing] : d.Notes;
        if (notes.Count > 0)
        {
            sb.Append("<ul class=\"notes\">");
            foreach (var n in notes) sb.Append("<li>").Append(E(n)).Append("</li>");
            sb.Append("</ul>");
        }
        sb.Append("</header>\n");
    }

    private static void Dataset(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"dataset\"><h2>Dataset</h2><table><tr><th>label</th><th>train</th><th>val</th><th>test</th><th>total</th></tr>");
        foreach (var r in d.Dataset)
            sb.Append("<tr><td>").Append(E(r.Label)).Append("</td>").Append(Num(r.Train)).Append(Num(r.Val)).Append(Num(r.Test))
              .Append(Num(r.Train + r.Val + r.Test)).Append("</tr>");
        sb.Append("<tr class=\"total\"><td>all</td>").Append(Num(d.Dataset.Sum(r => r.Train))).Append(Num(d.Dataset.Sum(r => r.Val)))
          .Append(Num(d.Dataset.Sum(r => r.Test))).Append(Num(d.Dataset.Sum(r => r.Train + r.Val + r.Test))).Append("</tr></table></section>\n");
    }

    private static void Metrics(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"metrics\"><h2>Per-class metrics (test)</h2>");
        if (d.Test is not { } t) { sb.Append("<p class=\"muted\">No test evaluation.</p></section>\n"); return; }
        sb.Append("<p>Accuracy <b>").Append(Pct(t.Accuracy)).Append("</b> (").Append(t.Correct).Append('/').Append(t.Count).Append("), 95% CI ")
          .Append(Ci(t.AccuracyCi));
        foreach (var k in t.TopK.Where(k => k.K > 1)) sb.Append("; top-").Append(k.K).Append(' ').Append(Pct(k.Accuracy));
        if (t.CalledUnknown is { } u) sb.Append("; ").Append(u).Append(" answered \"unknown\"");
        sb.Append("; macro F1 ").Append(t.MacroF1.ToString("0.000", Inv)).Append(". Intervals are Wilson 95%: with small support they are wide, and that is the honest answer.</p>");
        if (t.MissingClassesNote is { } miss) sb.Append("<p class=\"notes\"><b>Warning:</b> ").Append(E(miss)).Append(".</p>");
        sb.Append("<table><tr><th>class</th><th>support</th><th>precision</th><th>95% CI</th><th>recall</th><th>95% CI</th><th>F1</th></tr>");
        foreach (var m in t.PerClass)
            sb.Append("<tr><td>").Append(E(m.Label)).Append("</td>").Append(Num(m.Support))
              .Append("<td class=\"n\">").Append(Pct(m.Precision)).Append("</td><td class=\"ci\">").Append(Ci(m.PrecisionCi)).Append("</td>")
              .Append("<td class=\"n\">").Append(Pct(m.Recall)).Append("</td><td class=\"ci\">").Append(Bar(m.Recall, m.RecallCi)).Append(Ci(m.RecallCi)).Append("</td>")
              .Append("<td class=\"n\">").Append(m.F1.ToString("0.000", Inv)).Append("</td></tr>");
        sb.Append("</table></section>\n");
    }

    private static void Confusion(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"confusion\"><h2>Confusion matrix</h2>");
        if (d.ConfusionPng is { } png) Img(sb, "image/png", png, "confusion matrix: rows true, columns predicted");
        sb.Append("</section>\n<section id=\"most-confused\"><h2>Most confused pairs</h2>");
        var pairs = d.Test?.MostConfused ?? [];
        if (pairs.Count == 0) sb.Append("<p class=\"muted\">No confusions on the test split.</p>");
        else
        {
            sb.Append("<table><tr><th>true</th><th>predicted as</th><th>count</th></tr>");
            foreach (var p in pairs) sb.Append("<tr><td>").Append(E(p.Actual)).Append("</td><td>").Append(E(p.Predicted)).Append("</td>").Append(Num(p.Count)).Append("</tr>");
            sb.Append("</table>");
        }
        sb.Append("</section>\n");
    }

    private static void SpotChecks(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"spot-checks\"><h2>Spot checks per label</h2><p class=\"muted\">Random test images of each label with the model's answer; red borders are wrong.</p>");
        foreach (var s in d.SpotChecks)
        {
            sb.Append("<h3>").Append(E(s.Label)).Append("</h3><div class=\"gallery\">");
            foreach (var i in s.Images) Figure(sb, i);
            sb.Append("</div>");
        }
        sb.Append("</section>\n");
    }

    private static void Preprocess(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"preprocess\"><h2>What the model sees</h2>");
        if (d.Spec is { } s)
            sb.Append("<p>Input ").Append(s.Width).Append('x').Append(s.Height).Append(", resize ").Append(E(s.Resize.ToString()))
              .Append(". The right image is exactly the model's input: these pixels are baked into the exported ONNX's preprocessing.</p>");
        sb.Append("<div class=\"gallery\">");
        foreach (var p in d.Preprocess) { Figure(sb, p.Original); Figure(sb, p.ModelInput); }
        sb.Append("</div></section>\n");
    }

    private static void Robustness(StringBuilder sb, RunReportData d)
    {
        if (d.Robustness is not { } r) return;
        sb.Append("<section id=\"robustness\"><h2>Robustness</h2><p>Accuracy on the ").Append(E(r.Split)).Append(" split (")
          .Append(r.Images).Append(" images) when the images are darker or brighter, flatter, blurred, noisy, JPEG-compressed or rotated; the dashed line is the clean accuracy.");
        var worst = r.Drops().FirstOrDefault();
        if (worst.Corruption is not null && worst.Drop > 0)
            sb.Append(" It breaks most under ").Append(E(worst.Corruption)).Append(' ').Append(worst.Point.Level.ToString("0.##", Inv))
              .Append(": ").Append(Pct(worst.Point.Accuracy)).Append('.');
        sb.Append("</p>");
        if (d.RobustnessPng is { } png) Img(sb, "image/png", png, "accuracy against corruption level");
        sb.Append("<table><tr><th>corruption</th><th>level</th><th>accuracy</th><th>95% CI</th></tr>");
        foreach (var c in r.Curves)
            foreach (var p in c.Points)
                sb.Append("<tr><td>").Append(E(c.Corruption)).Append("</td><td class=\"n\">").Append(E(p.Level.ToString("0.##", Inv))).Append(' ').Append(E(c.Unit))
                  .Append("</td><td class=\"n\">").Append(Pct(p.Accuracy)).Append("</td><td class=\"ci\">").Append(Ci(p.Ci)).Append("</td></tr>");
        sb.Append("</table></section>\n");
    }

    private static void Curves(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"curves\"><h2>Training curves</h2>");
        if (d.Epochs > 0) sb.Append("<p>").Append(d.Epochs).Append(" epochs; the weights of epoch ").Append(d.BestEpoch).Append(" (lowest validation loss) were kept.</p>");
        if (d.LossPng is { } l) Img(sb, "image/png", l, "loss per epoch");
        if (d.AccuracyPng is { } a) Img(sb, "image/png", a, "accuracy per epoch");
        sb.Append("</section>\n");
    }

    private static void Issues(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"issues\"><h2>Data issues</h2>");
        if (d.Issues is not { } r) { sb.Append("<p class=\"muted\">Not analysed yet (lookout data issues).</p></section>\n"); return; }
        sb.Append("<p>").Append(r.Items).Append(" images, ").Append(r.Folds).Append("-fold out-of-fold accuracy ").Append(Pct(r.OutOfFoldAccuracy))
          .Append(": <b>").Append(r.SuspectLabels.Count).Append(" suspect labels</b>, ").Append(r.NearDuplicates.Count)
          .Append(" near-duplicates across splits, ").Append(r.Outliers.Count).Append(" outliers.</p>");
        if (r.SuspectLabels.Count > 0)
        {
            sb.Append("<h3>Suspect labels</h3>");
            if (d.SuspectImages.Count > 0)
            {
                sb.Append("<div class=\"gallery\">");
                foreach (var i in d.SuspectImages) Figure(sb, i);
                sb.Append("</div>");
            }
            sb.Append("<table><tr><th>file</th><th>given</th><th>suggested</th><th>P(given)</th><th>P(suggested)</th></tr>");
            foreach (var s in r.SuspectLabels.Take(15))
                sb.Append("<tr><td class=\"path\">").Append(E(s.Path)).Append("</td><td>").Append(E(s.Label)).Append("</td><td>").Append(E(s.Suggested))
                  .Append("</td><td class=\"n\">").Append(s.GivenProbability.ToString("0.00", Inv)).Append("</td><td class=\"n\">")
                  .Append(s.SuggestedProbability.ToString("0.00", Inv)).Append("</td></tr>");
            sb.Append("</table>");
        }
        if (r.NearDuplicates.Count > 0)
        {
            sb.Append("<h3>Leaks: near-duplicates across splits</h3><table><tr><th>file</th><th>split</th><th>file</th><th>split</th><th>similarity</th></tr>");
            foreach (var p in r.NearDuplicates.Take(15))
                sb.Append("<tr><td class=\"path\">").Append(E(p.PathA)).Append("</td><td>").Append(E(p.SplitA)).Append("</td><td class=\"path\">").Append(E(p.PathB))
                  .Append("</td><td>").Append(E(p.SplitB)).Append("</td><td class=\"n\">").Append(p.Similarity.ToString("0.000", Inv)).Append("</td></tr>");
            sb.Append("</table>");
        }
        if (r.Outliers.Count > 0)
        {
            sb.Append("<h3>Outliers</h3><table><tr><th>file</th><th>label</th><th>robust z</th></tr>");
            foreach (var o in r.Outliers.Take(15))
                sb.Append("<tr><td class=\"path\">").Append(E(o.Path)).Append("</td><td>").Append(E(o.Label)).Append("</td><td class=\"n\">")
                  .Append(o.RobustZ.ToString("0.0", Inv)).Append("</td></tr>");
            sb.Append("</table>");
        }
        sb.Append("</section>\n");
    }

    private static void Unknown(StringBuilder sb, RunReportData d)
    {
        sb.Append("<section id=\"unknown\"><h2>\"Unknown\" thresholds</h2>");
        if (d.Thresholds is not { } t) { sb.Append("<p class=\"muted\">Not calibrated: this model always names one of its classes.</p></section>\n"); return; }
        sb.Append("<p>An answer is \"unknown\" unless its probability and its similarity to the class centroid reach the class's bars, set to accept ")
          .Append(Pct(t.TargetKeep)).Append(" of known validation images (").Append(t.ValidationCount).Append(" images). Check the false-accept rate with <code>lookout eval &lt;run&gt; --holdout-classes a,b</code>.</p>");
        sb.Append("<table><tr><th>class</th><th>min probability</th><th>min similarity</th><th>calibration images</th></tr>");
        foreach (var c in t.Classes)
            sb.Append("<tr><td>").Append(E(c.Label)).Append("</td><td class=\"n\">").Append(c.MinProbability.ToString("0.000", Inv)).Append("</td><td class=\"n\">")
              .Append(c.MinSimilarity.ToString("0.000", Inv)).Append("</td><td class=\"n\">").Append(c.CalibrationCount == 0 ? "pooled" : c.CalibrationCount.ToString(Inv)).Append("</td></tr>");
        sb.Append("</table></section>\n");
    }

    private static void Gallery(StringBuilder sb, string id, string title, string intro, IReadOnlyList<ReportImage> images)
    {
        sb.Append("<section id=\"").Append(id).Append("\"><h2>").Append(E(title)).Append("</h2>");
        if (images.Count == 0) { sb.Append("<p class=\"muted\">Nothing to show.</p></section>\n"); return; }
        sb.Append("<p class=\"muted\">").Append(E(intro)).Append("</p><div class=\"gallery\">");
        foreach (var i in images) Figure(sb, i);
        sb.Append("</div></section>\n");
    }

    private static void Figure(StringBuilder sb, ReportImage i)
    {
        sb.Append(i.Flagged ? "<figure class=\"wrong\">" : "<figure>");
        Img(sb, i.Mime, i.Data, i.Caption, i.Detail, i.DisplayWidth);
        sb.Append("<figcaption>").Append(E(i.Caption)).Append("</figcaption></figure>");
    }

    private static void Img(StringBuilder sb, string mime, byte[] data, string alt, string? title = null, int? width = null)
    {
        sb.Append("<img alt=\"").Append(E(alt)).Append('"');
        if (width is { } w) sb.Append(" class=\"px\" width=\"").Append(w.ToString(Inv)).Append('"');
        if (title is not null) sb.Append(" title=\"").Append(E(title)).Append('"');
        sb.Append(" src=\"data:").Append(E(mime)).Append(";base64,").Append(Convert.ToBase64String(data)).Append("\">");
    }

    private static void Pair(StringBuilder sb, string key, string? value) =>
        sb.Append("<dt>").Append(E(key)).Append("</dt><dd>").Append(E(value ?? "-")).Append("</dd>");

    /// <summary>A recall bar with its interval drawn behind it (pure CSS, no script).</summary>
    private static string Bar(double value, Interval ci) =>
        $"<span class=\"bar\"><span class=\"ci\" style=\"left:{100 * ci.Low:0.#}%;width:{100 * (ci.High - ci.Low):0.#}%\"></span><span class=\"v\" style=\"left:{100 * value:0.#}%\"></span></span>";

    private static string Num(int v) => $"<td class=\"n\">{v.ToString(Inv)}</td>";
    private static string Pct(double v) => E(ReportText.Pct(v));
    private static string Ci(Interval i) => E(ReportText.Ci(i));

    private const string Css = """
        body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1em 2em;color:#222}
        .strip{display:flex;flex-wrap:wrap;align-items:center;gap:1px;margin:.3em 0}.strip i{display:inline-block;width:5px;height:14px}
        .strip i.ok{background:#3a3}.strip i.bad{background:#d33}.strip i.out{background:#ccc}
        h1{margin:.2em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em}dt{color:#666}dd{margin:0}
        table{border-collapse:collapse;margin:.5em 0}td,th{border-bottom:1px solid #eee;padding:.25em .6em;text-align:left}
        td.n{text-align:right;font-variant-numeric:tabular-nums}td.ci{color:#666;white-space:nowrap}td.path{font-family:monospace;font-size:12px;word-break:break-all}
        tr.total td{font-weight:bold}.muted{color:#777}.notes{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 2em}
        .gallery{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;width:min-content;border:3px solid #cfe8cf;border-radius:4px;padding:3px}
        figure.wrong{border-color:#e57373}figcaption{font-size:12px;max-width:256px;word-break:break-word}
        .bar{display:inline-block;position:relative;width:80px;height:8px;background:#eee;margin-right:6px;vertical-align:middle}
        .bar .ci{position:absolute;top:0;height:8px;background:#9ecae1}.bar .v{position:absolute;top:-2px;width:2px;height:12px;background:#08519c}
        img.px{image-rendering:pixelated}pre{background:#f6f6f6;padding:.8em;overflow:auto}footer{margin-top:3em;color:#999;font-size:12px}
        """;
}
