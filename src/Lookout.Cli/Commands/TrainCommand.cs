using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.FineTuning;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout train &lt;data-dir&gt;</c> (like <c>yolo classify train data=...</c>): scan (incremental), split what is
/// unassigned, embed through the cache, fit the head, export one ONNX file, evaluate it on the test split.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var dataDir = new Argument<string?>("data-dir") { Description = "Folder with one sub-folder per label (optionally inside train/ val/ test/).", Arity = ArgumentArity.ZeroOrOne };
        var backbone = SharedOptions.Backbone();
        var d = TrainOptions.Default;
        var epochs = new Option<int>("--epochs") { Description = "Maximum epochs (early stopping may end sooner).", DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { Description = "Learning rate (AdamW).", DefaultValueFactory = _ => d.LearningRate };
        var hidden = new Option<int>("--hidden") { Description = "Units in one hidden layer (0 = linear head).", DefaultValueFactory = _ => d.Hidden };
        var patience = new Option<int>("--patience") { Description = "Epochs without validation-loss improvement before stopping.", DefaultValueFactory = _ => d.Patience };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Label smoothing.", DefaultValueFactory = _ => d.LabelSmoothing };
        var seed = new Option<int>("--seed") { Description = "Seed for the split and the training: same seed, same data => same model.", DefaultValueFactory = _ => d.Seed };
        var noClassWeights = new Option<bool>("--no-class-weights") { Description = "Do not weight the loss by inverse class frequency." };
        var ft = new FineTuneOptions();
        var fineTune = new Option<bool>("--fine-tune") { Description = "After the linear probe, train the last backbone blocks with the head on the images (slower, usually better)." };
        var ftEpochs = new Option<int>("--ft-epochs") { Description = "Fine-tuning epochs (checkpoint after each).", DefaultValueFactory = _ => ft.Epochs };
        var ftBlocks = new Option<int>("--ft-blocks") { Description = "How many of the last Conv layers are trained.", DefaultValueFactory = _ => ft.TrainableBlocks };
        var augment = new Option<bool>("--augment") { Description = "Fine-tune on augmented images (random resized crop, flip, rotation, colour jitter, blur)." };
        var resume = new Option<string?>("--resume") { Description = "Continue a killed or stopped fine-tuning run (run id or folder) from its last checkpoint." };
        var command = new Command("train", "Train a classifier on a labelled folder and export it as one ONNX file.")
            { dataDir, backbone, epochs, lr, hidden, patience, smoothing, seed, noClassWeights, DataCommands.Fps, fineTune, ftEpochs, ftBlocks, augment, resume };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var options = d with
            {
                Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), Hidden = parse.GetValue(hidden),
                Patience = parse.GetValue(patience), LabelSmoothing = parse.GetValue(smoothing), Seed = parse.GetValue(seed),
                ClassWeights = !parse.GetValue(noClassWeights),
            };
            TrainResult result;
            if (parse.GetValue(resume) is { } runArg)
            {
                var (run, workspace) = Locations.Run(parse, runArg);
                result = await ResumeAsync(run, workspace, options, output, ct);
            }
            else
            {
                var dir = parse.GetValue(dataDir) ?? throw new LookoutException("give the data folder (or --resume <run>)");
                var plan = parse.GetValue(fineTune)
                    ? ft with { Epochs = parse.GetValue(ftEpochs), TrainableBlocks = parse.GetValue(ftBlocks), Seed = options.Seed }
                    : null;
                result = await RunAsync(dir, Locations.ForData(parse, dir), parse.GetValue(backbone)!, options, parse.GetValue(DataCommands.Fps),
                    output, ct, fineTune: plan, augment: parse.GetValue(augment));
            }
            if (output.Json) output.WriteJson(Summary(result));
            else PrintResult(output, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The whole train pipeline for one data folder; shared by <c>train</c> and <c>demo</c>.</summary>
    internal static async Task<TrainResult> RunAsync(string dataDir, Workspace workspace, string backboneName, TrainOptions options,
        double fps, CliOutput output, CancellationToken ct, string label = "", FineTuneOptions? fineTune = null, bool augment = false)
    {
        var service = new DatasetService(workspace);
        var scan = await DataCommands.ScanAsync(service, dataDir, fps, output, ct);
        if (!output.Json) DataCommands.PrintScan(output, scan, workspace);
        var split = service.Split(DataCommands.SplitOptionsFrom(options.Seed, 0.15, 0.15, reassign: false));
        if (split.Assigned > 0) output.Note($"split {split.Assigned} new items: train {split.Train}, val {split.Val}, test {split.Test}");
        var items = DataCommands.UsableItems(service, dataDir);

        output.Note($"backbone {backboneName} (converting once if needed)");
        var backbone = BackboneResolver.Resolve(backboneName);
        using var cache = new EmbeddingCache(Path.Combine(workspace.EnsureCreated().CacheDir, "embeddings.db"));
        var run = new RunStore(workspace.RunsDir).Create();
        if (fineTune is not null)
        {
            var plan = new FineTunePlan(backboneName, fineTune, augment, DatasetManifest.Hash(items));
            output.Note($"run {run.Id}: fine-tuning; if it is interrupted, continue with 'lookout train --resume {run.Id}'");
            return (await ProgressSink.RunAsync(output, sink => new FineTuneService(cache).RunAsync(options, plan, items, backbone, run,
                new TrainingProgressObserver(output, sink, Math.Max(options.Epochs, fineTune.Epochs), label), ct))).WithScanProblems(dataDir, scan);
        }
        return (await ProgressSink.RunAsync(output, sink =>
            new TrainingService(cache).RunAsync(options, items, backbone, run,
                new TrainingProgressObserver(output, sink, options.Epochs, label), ct))).WithScanProblems(dataDir, scan);
    }

    private static async Task<TrainResult> ResumeAsync(RunFolder run, Workspace workspace, TrainOptions options, CliOutput output, CancellationToken ct)
    {
        var plan = FineTuneService.ReadPlan(run);
        var items = new DatasetService(workspace).Snapshot();
        var backbone = BackboneResolver.Resolve(plan.Backbone);
        output.Note($"resuming run {run.Id} from its last checkpoint");
        using var cache = new EmbeddingCache(Path.Combine(workspace.EnsureCreated().CacheDir, "embeddings.db"));
        return await ProgressSink.RunAsync(output, sink => new FineTuneService(cache).ResumeAsync(run, items, backbone,
            new TrainingProgressObserver(output, sink, plan.Options.Epochs), ct));
    }

    internal static object Summary(TrainResult r) => new
    {
        run = r.Run.Id,
        runDir = r.Run.Dir,
        model = r.ModelPath,
        labels = r.Labels,
        bestEpoch = r.Fit.BestEpoch,
        epochs = r.Fit.Epochs.Count,
        embeddingImagesPerSecond = r.EmbeddingImagesPerSecond,
        embeddingsFromCache = r.EmbeddingsFromCache,
        skipped = r.Skipped,
        test = r.Test is { } t ? new { accuracy = t.Accuracy, ci = t.AccuracyCi, count = t.Count, macroF1 = t.MacroF1 } : null,
    };

    internal static void PrintResult(CliOutput output, TrainResult r)
    {
        output.Line($"[green]run {r.Run.Id}[/]: best epoch {r.Fit.BestEpoch} of {r.Fit.Epochs.Count}; model [bold]{Markup.Escape(r.ModelPath)}[/]");
        if (r.Test is { } test)
        {
            output.Line($"test accuracy [bold]{ReportText.Pct(test.Accuracy)}[/] {Markup.Escape(ReportText.Ci(test.AccuracyCi))} on {test.Count} images");
            output.Line(Markup.Escape(ReportText.Table(test)));
        }
        else output.Warn("no test split: nothing evaluated (add a test/ folder or keep the default split)");
    }
}
