using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Robustness;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout eval &lt;run&gt; [--split test]</c>: evaluates the run's exported model on a split of its workspace.</summary>
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
        var command = new Command("eval", "Accuracy, top-k, per-class precision/recall/F1 with support and 95% intervals, confusion matrix.") { runArg, split, holdout, robustness };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var (run, workspace) = Locations.Run(parse, parse.GetValue(runArg)!);
            if (parse.GetValue(holdout) is { Length: > 0 } held)
                return await OpenSet.RunAsync(run, workspace, held.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), output, ct);
            var which = parse.GetValue(split);
            var items = new DatasetService(workspace).Snapshot();
            if (!items.Any(i => i.Split == which)) throw new Lookout.Core.LookoutException($"the workspace has no {which} items");
            var report = await EvaluationService.EvaluateAsync(run.ModelPath, items, which, null, ct);
            var stem = Path.Combine(run.Dir, $"eval-{which.ToString().ToLowerInvariant()}");
            AtomicFile.WriteAllText(stem + ".json", ReportJson.Render(report));
            AtomicFile.WriteAllText(stem + ".md", ReportText.Markdown(report));
            ConfusionMatrixPlot.SavePng(report, stem + "-confusion.png");
            RobustnessReport? robust = null;
            if (parse.GetValue(robustness))
            {
                using var model = ClassifierModel.Load(run.ModelPath);
                robust = await ProgressSink.RunAsync(output, sink => RobustnessEvaluator.EvaluateAsync(model, items, which,
                    progress: new Progress<int>(n => sink.Report("robustness", n, Corruptions.Standard.Sum(c => c.Levels.Count), "levels")), ct: ct));
                RobustnessOutput.Save(robust, run.Dir);
            }
            if (output.Json)
                Console.Out.WriteLine(robust is null ? ReportJson.Render(report)
                    : $"{{\"evaluation\":{ReportJson.Render(report)},\"robustness\":{RobustnessOutput.ToJson(robust)}}}");
            else
            {
                output.Line($"{which} accuracy [bold]{ReportText.Pct(report.Accuracy)}[/] {Markup.Escape(ReportText.Ci(report.AccuracyCi))} on {report.Count} images");
                if (report.MissingClassesNote is { } missing) output.Warn(missing);
                output.Line(Markup.Escape(ReportText.Table(report)));
                output.Line($"written: {Markup.Escape(stem)}.json, .md, -confusion.png");
                if (robust is not null)
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
