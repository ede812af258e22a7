using System.Text;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Walkthroughs;

namespace Lookout.Core.Pipelines.Report;

/// <summary>
/// The report's walk-through section: per-frame and smoothed accuracy on each hand-labelled validation video, per
/// class, and a timeline strip per answer kind (green right, red wrong, grey outside every segment), as plain HTML.
/// </summary>
internal static class WalkthroughSection
{
    public static void Append(StringBuilder sb, IReadOnlyList<WalkthroughResult> results)
    {
        if (results.Count == 0) return;
        sb.Append("<section id=\"walkthroughs\"><h2>Walk-through videos</h2><p class=\"muted\">Hand-labelled validation videos of the workspace ")
          .Append("(marked in the studio, never trained on), classified frame by frame; \"smoothed\" switches class only after it persisted for a few frames. ")
          .Append("A frame marked \"none of these\" is right only when the model answers \"unknown\".</p>");
        foreach (var r in results)
        {
            var e = r.Evaluation;
            sb.Append("<h3>").Append(E(r.Name)).Append("</h3><p>Per frame <b>").Append(E(ReportText.Pct(e.Accuracy))).Append("</b>, smoothed <b>")
              .Append(E(ReportText.Pct(e.SmoothedAccuracy))).Append("</b> (persist ").Append(e.PersistFrames).Append(" frames) on ")
              .Append(e.Scored).Append(" labelled frames of ").Append(e.Frames).Append(".</p>");
            sb.Append("<table><tr><th>segment class</th><th>frames</th><th>per frame</th><th>smoothed</th></tr>");
            foreach (var (label, frames, accuracy, smoothed) in e.PerClass)
                sb.Append("<tr><td>").Append(E(label ?? "none of these")).Append("</td><td class=\"n\">").Append(frames)
                  .Append("</td><td class=\"n\">").Append(E(ReportText.Pct(accuracy))).Append("</td><td class=\"n\">").Append(E(ReportText.Pct(smoothed))).Append("</td></tr>");
            sb.Append("</table>");
            Strip(sb, "per frame", e.Timeline, f => f.Predicted);
            Strip(sb, "smoothed", e.Timeline, f => f.Smoothed);
        }
        sb.Append("</section>\n");
    }

    private static void Strip(StringBuilder sb, string title, IReadOnlyList<FrameScore> timeline, Func<FrameScore, string> answer)
    {
        sb.Append("<div class=\"strip\" title=\"").Append(E(title)).Append("\"><span class=\"muted\">").Append(E(title)).Append("</span> ");
        foreach (var f in timeline)
        {
            var kind = !f.Scored ? "out" : WalkthroughEvaluation.Correct(f.Truth, answer(f)) ? "ok" : "bad";
            sb.Append("<i class=\"").Append(kind).Append("\" title=\"").Append((f.TimeMs / 1000.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))
              .Append(" s: ").Append(E(answer(f))).Append(f.Scored ? $" (truth {E(f.Truth ?? "none of these")})" : "").Append("\"></i>");
        }
        sb.Append("</div>");
    }

    private static string E(string? s) => HtmlReportRenderer.E(s);
}
