using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Inference;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout classify &lt;model.onnx|run&gt; &lt;image|dir|glob&gt;... [--top 5]</c>.</summary>
public static class ClassifyCommand
{
    public static Command Create()
    {
        var modelArg = new Argument<string>("model") { Description = "Exported model (.onnx) or a run id/folder." };
        var inputs = new Argument<string[]>("inputs") { Description = "Images, folders (recursive) or globs like photos/*.jpg.", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top", "-k") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 5 };
        var minSharpness = new Option<double?>("--min-sharpness") { Description = "Answer 'too blurry to tell' for images less sharp than this (variance of the Laplacian on a 256-px thumbnail; the studio shows it; ~60 is a good start)." };
        var command = new Command("classify", "Classify images with an exported model; folders run in parallel batches.") { modelArg, inputs, top, minSharpness };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var input = InputFiles.Expand(parse.GetValue(inputs)!);
            if (input.IsEmpty) throw new LookoutException("no image files matched");
            var paths = input.Files;
            using var model = ClassifierModel.Load(Locations.Model(parse, parse.GetValue(modelArg)!));
            int k = Math.Max(1, parse.GetValue(top));
            var results = new List<ClassifyResult>(paths.Count);
            await ProgressSink.RunAsync(output, async sink =>
            {
                await foreach (var r in model.ClassifyFilesAsync(paths, k, ct: ct))
                {
                    results.Add(r);
                    if (paths.Count > 1) sink.Report("classified", results.Count, paths.Count, "img");
                }
                return 0;
            });
            results.AddRange(input.Skipped.Select(s => new ClassifyResult(s.Path, [], null, s.Reason)));
            var blurry = parse.GetValue(minSharpness) is { } min ? BlurryOnes(results, min) : new Dictionary<string, double>();
            if (output.Json)
                output.WriteJson(results.Select(r => new
                {
                    file = r.Source,
                    label = blurry.ContainsKey(r.Source) ? Lookout.Core.Studio.Media.BlurCheck.Label : r.Label,
                    blurry = parse.GetValue(minSharpness) is null ? (bool?)null : blurry.ContainsKey(r.Source),
                    sharpness = blurry.TryGetValue(r.Source, out var sh) ? Math.Round(sh, 1) : (double?)null,
                    unknown = r.Rejection is null ? (bool?)null : r.Unknown,
                    unknownReason = r.Rejection?.Reason,
                    predictions = r.Predictions.Select(p => new { @class = p.Label, score = p.Score }),
                    error = r.Error,
                }));
            else
                foreach (var r in results)
                    output.Line(r.Ok
                        ? $"{Markup.Escape(r.Source)}: " + (blurry.TryGetValue(r.Source, out var s) ? $"[yellow]{Lookout.Core.Studio.Media.BlurCheck.Label}[/] (sharpness {s:0}); " : "") + (r.Unknown ? $"[yellow]unknown[/] ({Markup.Escape(r.Rejection!.Reason ?? "")}); closest: " : "") + string.Join(", ", r.Predictions.Select(p => $"[bold]{Markup.Escape(p.Label)}[/] {p.Score:0.000}"))
                        : $"{Markup.Escape(r.Source)}: [red]{Markup.Escape(r.Error!)}[/]");
            return ExitCodes.ForItems(results.Count(r => r.Ok), results.Count(r => !r.Ok));
        });
        return command;
    }

    /// <summary>The classified files whose sharpness is under <paramref name="min"/>, with their sharpness.</summary>
    private static Dictionary<string, double> BlurryOnes(IEnumerable<ClassifyResult> results, double min)
    {
        var blurry = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var r in results.Where(r => r.Ok))
        {
            var s = Lookout.Core.Studio.Media.BlurCheck.SharpnessOf(r.Source);
            if (s < min) blurry[r.Source] = s;
        }
        return blurry;
    }
}
