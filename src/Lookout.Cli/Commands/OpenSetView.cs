using Lookout.Cli.Infrastructure;
using Lookout.Core.Evaluation;
using Lookout.Core.Pipelines.Evaluate;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>Prints <c>lookout eval &lt;run&gt; --holdout-classes a,b</c>: how often classes the model never saw were accepted.</summary>
internal static class OpenSetView
{
    public static void Print(CliOutput output, OpenSetOutcome outcome)
    {
        var result = outcome.Result;
        if (output.Json) { output.WriteJson(result); return; }
        output.Line($"held out: {Markup.Escape(string.Join(", ", result.HeldOutLabels))}; trained on {Markup.Escape(string.Join(", ", result.KnownLabels))}");
        output.Line($"false accepts on held-out classes: [bold]{ReportText.Pct(result.FalseAcceptRate)}[/] ({result.FalseAccepts}/{result.UnknownCount}) 95% CI {Markup.Escape(ReportText.Ci(result.FalseAcceptCi))}");
        output.Line($"known test accuracy: {ReportText.Pct(result.KnownAccuracy)} {Markup.Escape(ReportText.Ci(result.KnownAccuracyCi))} without rejection, " +
                    $"{ReportText.Pct(result.KnownAccuracyWithRejection)} {Markup.Escape(ReportText.Ci(result.KnownAccuracyWithRejectionCi))} with it " +
                    $"({ReportText.Pct(result.KnownRejectedRate)} of {result.KnownCount} known images called unknown)");
        foreach (var c in result.PerHeldOutClass)
            output.Line($"  {Markup.Escape(c.Label)}: {c.Accepted}/{c.Count} accepted" + (c.MostOftenAcceptedAs is { } a ? $", mostly as {Markup.Escape(a)}" : ""));
        output.Line($"written: {Markup.Escape(outcome.Path)}");
    }
}
