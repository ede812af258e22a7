using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Walkthroughs;
using Lookout.Core.Evaluation.Robustness;
using Lookout.Core.Pipelines.Evaluate;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout eval &lt;run&gt; [--split test]</c>: evaluates the run's exported model on a split of its workspace (<see cref="EvalPipeline"/>).</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var runArg = new Argument<string>("run") { Description = "Run id (e.g. train3) or run folder." };
        var split = new Option<Split>("--split") { Description = "Which split to evaluate: train, val or test.", DefaultValueFactory = _ => Split.Test };
        var holdout = new Option<string?>("--holdout-classes")
        {
            Description = "Comma-separated classes to leave out: retrains the run's head without them (cached embeddings) and reports how often they are called \"unknown\" versus accepted.",
        };
        var robustness = new Option<bool>("--robustness")
        {
            Description = "Also measure accuracy under brightness, contrast, blur, noise, JPEG quality and rotation (robustness.json, robustness.png; shown by 'report').",
        };
        var command = new Command("eval", "Accuracy, top-k, per-class precision/recall/F1 with support and 95% intervals, confusion matrix; and per-frame and smoothed accuracy on the workspace's labelled walk-through videos (from the studio).") { runArg, split, holdout, robustness };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var (run, workspace) = Locations.Run(parse, parse.GetValue(runArg)!);
            if (parse.GetValue(holdout) is { Length: > 0 } held)
            {
                var request = new OpenSetRequest(workspace, run, held.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                var outcome = await ProgressSink.RunAsync(output, sink => OpenSetPipeline.RunAsync(request, new CliPipelineObserver(output, sink), ct));
                OpenSetView.Print(output, outcome);
                return ExitCodes.Ok;
            }
            var which = parse.GetValue(split);
            var evalRequest = new EvalRequest(workspace, run) { Split = which, Robustness = parse.GetValue(robustness) };
            var result = await ProgressSink.RunAsync(output, sink => EvalPipeline.RunAsync(evalRequest, new CliPipelineObserver(output, sink), ct));
            var report = result.Report;
            if (output.Json)
                Console.Out.WriteLine(result.Robustness is not { } r ? ReportJson.Render(report)
                    : $"{{\"evaluation\":{ReportJson.Render(report)},\"robustness\":{RobustnessOutput.ToJson(r)}}}");
            else
            {
                output.Line($"{which} accuracy [bold]{ReportText.Pct(report.Accuracy)}[/] {Markup.Escape(ReportText.Ci(report.AccuracyCi))} on {report.Count} images");
                if (report.MissingClassesNote is { } missing) output.Warn(missing);
                output.Line(Markup.Escape(ReportText.Table(report)));
                output.Line($"written: {Markup.Escape(result.Stem)}.json, .md, -confusion.png");
                foreach (var w in result.Walkthroughs) output.Line(Markup.Escape(WalkthroughResults.Summary(w)));
                if (result.Walkthroughs.Count > 0) output.Line($"written: {Markup.Escape(Path.Combine(run.Dir, WalkthroughResults.FileName))}");
                if (result.Robustness is { } robust)
                {
                    output.Line(Markup.Escape(RobustnessOutput.Table(robust)));
                    output.Line($"written: {Markup.Escape(Path.Combine(run.Dir, RobustnessReport.JsonFile))}, {RobustnessReport.PngFile}");
                }
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
