using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Spectre.Console;
using Lookout.Core.Evaluation.OpenSet;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout eval &lt;run&gt; --holdout-classes a,b</c>: the run's recipe retrained without some classes, then asked about them.</summary>
internal static class OpenSet
{
    public static async Task<int> RunAsync(RunFolder run, Workspace workspace, IReadOnlyList<string> heldOut, CliOutput output, CancellationToken ct)
    {
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath) ?? throw new LookoutException($"run {run.Id} has no manifest.json");
        var options = run.ReadJson<TrainOptions>(run.OptionsPath) ?? TrainOptions.Default;
        var items = new DatasetService(workspace).Snapshot();
        var backbone = BackboneResolver.ResolveRecorded(manifest.Backbone);
        var (embedded, _) = await Embeddings.ExtractAsync(items, backbone, workspace, output, ct);
        var calibration = new CalibrationOptions { TargetKeep = options.UnknownKeep > 0 ? options.UnknownKeep : 0.95 };
        var result = OpenSetEvaluator.Evaluate(embedded, heldOut, options, calibration, ct);
        AtomicFile.WriteAllText(Path.Combine(run.Dir, "eval-openset.json"), System.Text.Json.JsonSerializer.Serialize(result, CliOutput.JsonOptions));

        if (output.Json) { output.WriteJson(result); return ExitCodes.Ok; }
        output.Line($"held out: {Markup.Escape(string.Join(", ", result.HeldOutLabels))}; trained on {Markup.Escape(string.Join(", ", result.KnownLabels))}");
        output.Line($"false accepts on held-out classes: [bold]{ReportText.Pct(result.FalseAcceptRate)}[/] ({result.FalseAccepts}/{result.UnknownCount}) 95% CI {Markup.Escape(ReportText.Ci(result.FalseAcceptCi))}");
        output.Line($"known test accuracy: {ReportText.Pct(result.KnownAccuracy)} {Markup.Escape(ReportText.Ci(result.KnownAccuracyCi))} without rejection, " +
                    $"{ReportText.Pct(result.KnownAccuracyWithRejection)} {Markup.Escape(ReportText.Ci(result.KnownAccuracyWithRejectionCi))} with it " +
                    $"({ReportText.Pct(result.KnownRejectedRate)} of {result.KnownCount} known images called unknown)");
        foreach (var c in result.PerHeldOutClass)
            output.Line($"  {Markup.Escape(c.Label)}: {c.Accepted}/{c.Count} accepted" + (c.MostOftenAcceptedAs is { } a ? $", mostly as {Markup.Escape(a)}" : ""));
        output.Line($"written: {Markup.Escape(Path.Combine(run.Dir, "eval-openset.json"))}");
        return ExitCodes.Ok;
    }
}
