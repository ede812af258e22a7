using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Scoring;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout score &lt;recipe&gt; &lt;image|dir|glob&gt;... [--model detector] [--json]</c>: detect, count the recipe's
/// things, add up points and say the verdict (format: <see cref="ScoreRecipe"/>). The recipe is a .yaml file, a name in
/// the workspace's <c>recipes/</c>, or the built-in <c>home-office</c>.
/// </summary>
public static class ScoreCommand
{
    public static Command Create()
    {
        var recipeArg = new Argument<string>("recipe") { Description = "A recipe .yaml file, a name in the workspace's recipes/ folder, or built-in 'home-office'." };
        var inputs = new Argument<string[]>("inputs") { Description = "Images, folders (recursive) or globs.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model", "-m")
        {
            Description = "Detector: nanodet (COCO, default), centernet, or your own run/.onnx from 'train --task detect'. Overrides the recipe's model.",
        };
        var command = new Command("score", "Count things in images and turn them into points and a verdict with a YAML recipe (e.g. a tidy home office).")
            { recipeArg, inputs, model };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var workspacePath = parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, Workspace.DefaultFolderName);
            var recipe = RecipeLibrary.Find(parse.GetValue(recipeArg)!, new Workspace(workspacePath).RecipesDir);
            var input = InputFiles.Expand(parse.GetValue(inputs)!);
            if (input.IsEmpty) throw new LookoutException("no image files matched");
            var detectorName = parse.GetValue(model) ?? recipe.Model ?? DetectorModel.DefaultName;
            using var detector = DetectorService.Open(DetectCommand.ResolveModel(parse, detectorName));
            var scorer = new Scorer(recipe, detector.Labels, detector.Name);
            var options = new DetectorOptions { MinScore = recipe.MinScore, Classes = scorer.Classes, ClassAgnosticNms = Scorer.ClassAgnosticNms };

            var results = new List<(DetectionResult Detection, ScoreResult? Score)>();
            await ProgressSink.RunAsync(output, async sink =>
            {
                await foreach (var r in detector.DetectFilesAsync(input.Files, options, ct: ct))
                {
                    results.Add((r, r.Ok ? scorer.Score(r.Detections) : null));
                    if (input.Files.Count > 1) sink.Report("scored", results.Count, input.Files.Count, "img");
                }
                return 0;
            });
            results.AddRange(input.Skipped.Select(s => (new DetectionResult(s.Path, 0, 0, [], s.Reason), (ScoreResult?)null)));

            if (output.Json)
                output.WriteJson(new
                {
                    recipe = recipe.Name,
                    model = detector.Name,
                    minScore = recipe.MinScore,
                    results = results.Select(r => new
                    {
                        file = r.Detection.Source,
                        total = r.Score?.Total,
                        verdict = r.Score?.Verdict,
                        lines = r.Score?.Lines.Select(l => new { thing = l.Thing, labels = l.Labels, found = l.Found, counted = l.Counted, each = l.Each, points = l.Points }),
                        detections = r.Detection.Detections.Select(d => new
                        {
                            label = d.Label, score = d.Score,
                            box = new { x1 = d.Box.X1, y1 = d.Box.Y1, x2 = d.Box.X2, y2 = d.Box.Y2 },
                        }),
                        error = r.Detection.Error,
                    }),
                });
            else
            {
                output.Line($"[grey]recipe {Markup.Escape(recipe.Name)}, model {Markup.Escape(detector.Name)}, min score {recipe.MinScore:0.##}[/]");
                foreach (var (det, score) in results)
                {
                    if (score is null) { output.Line($"{Markup.Escape(det.Source)}: [red]{Markup.Escape(det.Error ?? "not scored")}[/]"); continue; }
                    var parts = score.Lines.Where(l => l.Found > 0).Select(l => $"{Markup.Escape(l.Thing)} {l.Counted}" + (l.Found > l.Counted ? $" (of {l.Found})" : "") + $" → {l.Points:0.##}");
                    output.Line($"{Markup.Escape(det.Source)}: [bold]{score.Total:0.##} points[/]" + (score.Verdict is { } v ? $" — [bold]{Markup.Escape(v)}[/]" : "") +
                        $" [grey]({(parts.Any() ? string.Join(", ", parts) : "nothing counted")})[/]");
                }
            }
            return ExitCodes.ForItems(results.Count(r => r.Score is not null), results.Count(r => r.Score is null));
        });
        return command;
    }
}
