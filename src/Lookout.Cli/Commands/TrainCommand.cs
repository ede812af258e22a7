using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.FineTuning;
using Lookout.Core.Training.Scratch;
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
        var noRefit = new Option<bool>("--no-refit") { Description = "Keep the head trained on train only (by default, after epochs and thresholds are chosen on validation, the head is refit on train+val)." };
        var trainOnly = new Option<bool>("--train-only") { Description = "The folder is training data only: hold out 15% (whole sources, per class) for validation and make no test split." };
        var fromScratch = new Option<string>("--from-scratch")
        {
            Description = "Train a compact CNN from scratch at the images' native size: auto (when images are small, <= 64 px, and plentiful, >= 500 per class), on, off.",
            DefaultValueFactory = _ => "auto",
        };
        fromScratch.AcceptOnlyFromAmong("auto", "on", "off");
        var scratchEpochs = new Option<int>("--scratch-epochs") { Description = "Epochs for the from-scratch CNN.", DefaultValueFactory = _ => new CompactCnnOptions().Epochs };
        var command = new Command("train", "Train a classifier on a labelled folder and export it as one ONNX file.")
            { dataDir, backbone, epochs, lr, hidden, patience, smoothing, seed, noClassWeights, DataCommands.Fps, fineTune, ftEpochs, ftBlocks, augment, resume,
              noRefit, trainOnly, fromScratch, scratchEpochs };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var options = d with
            {
                Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), Hidden = parse.GetValue(hidden),
                Patience = parse.GetValue(patience), LabelSmoothing = parse.GetValue(smoothing), Seed = parse.GetValue(seed),
                ClassWeights = !parse.GetValue(noClassWeights), RefitOnTrainVal = !parse.GetValue(noRefit),
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
                var scratch = new ScratchChoice(parse.GetValue(fromScratch)!, new CompactCnnOptions { Epochs = parse.GetValue(scratchEpochs) },
                    parse.GetResult(backbone) is { Implicit: false } || plan is not null);
                result = await RunAsync(dir, Locations.ForData(parse, dir), parse.GetValue(backbone)!, options, parse.GetValue(DataCommands.Fps),
                    output, ct, fineTune: plan, augment: parse.GetValue(augment), trainOnly: parse.GetValue(trainOnly), scratch: scratch);
            }
            if (output.Json) output.WriteJson(Summary(result));
            else PrintResult(output, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// <c>--from-scratch</c>: auto, on or off; <paramref name="BackboneChosen"/> when the user asked for a backbone (or
    /// fine-tuning), which auto then respects.
    /// </summary>
    internal sealed record ScratchChoice(string Mode, CompactCnnOptions Options, bool BackboneChosen);

    /// <summary>The whole train pipeline for one data folder; shared by <c>train</c> and <c>demo</c>.</summary>
    internal static async Task<TrainResult> RunAsync(string dataDir, Workspace workspace, string backboneName, TrainOptions options,
        double fps, CliOutput output, CancellationToken ct, string label = "", FineTuneOptions? fineTune = null, bool augment = false,
        bool trainOnly = false, ScratchChoice? scratch = null)
    {
        var service = new DatasetService(workspace);
        var timings = new StageTimings();
        ScanResult scan;
        using (timings.Measure("scan")) scan = await DataCommands.ScanAsync(service, dataDir, fps, output, ct);
        if (!output.Json) DataCommands.PrintScan(output, scan, workspace);
        var split = timings.Measure("split", () => service.Split(DataCommands.SplitOptionsFrom(options.Seed, 0.15, trainOnly ? 0 : 0.15, reassign: false)));
        if (split.Assigned > 0) output.Note($"split {split.Assigned} new items: train {split.Train}, val {split.Val}, test {split.Test}");
        foreach (var t in split.TimeBlocked)
            output.Warn($"class '{t.Label}' has only {t.Sources} source(s): its video frames were split by time (train, then val, then test) " +
                        $"with {t.Excluded} frame(s) left out as gaps between the blocks; add more clips of it for an honest test");
        if (trainOnly) output.Note("training-only data: 15% of it (whole sources, per class) validates the epochs and the \"unknown\" thresholds; there is no test split, so evaluate on your own test folder with 'lookout eval'");
        var items = DataCommands.UsableItems(service, dataDir);

        if (scratch is { Mode: not "off" } && fineTune is null)
        {
            var train = items.Where(i => i.Split == Split.Train).ToList();
            var decision = SmallImagePolicy.Decide(SmallImagePolicy.SampleSizes(train), train.Count, train.Select(i => i.Label).Distinct().Count());
            bool go = scratch.Mode == "on" || (decision.FromScratch && !scratch.BackboneChosen);
            if (go)
            {
                output.Note($"{decision.Reason}: training a compact CNN from scratch at {decision.Width}x{decision.Height} " +
                            "(--from-scratch off uses the pretrained backbone instead)");
                var scratchRun = new RunStore(workspace.RunsDir).Create();
                return await ProgressSink.RunAsync(output, sink => new ScratchTrainingService().RunAsync(options, scratch.Options, items,
                    decision.Width, decision.Height, scratchRun, new TrainingProgressObserver(output, sink, scratch.Options.Epochs, label), ct));
            }
            if (decision.FromScratch)
                output.Note($"{decision.Reason}: a compact CNN trained from scratch would likely beat the pretrained backbone here (--from-scratch on)");
        }

        output.Note($"backbone {backboneName} (converting once if needed)");
        var backbone = timings.Measure("backbone", () => BackboneResolver.Resolve(backboneName));
        using var cache = new EmbeddingCache(Path.Combine(workspace.EnsureCreated().CacheDir, "embeddings.db"));
        var run = new RunStore(workspace.RunsDir).Create();
        if (fineTune is not null)
        {
            var plan = new FineTunePlan(backboneName, fineTune, augment, DatasetManifest.Hash(items));
            output.Note($"run {run.Id}: fine-tuning; if it is interrupted, continue with 'lookout train --resume {run.Id}'");
            return await ProgressSink.RunAsync(output, sink => new FineTuneService(cache).RunAsync(options, plan, items, backbone, run,
                new TrainingProgressObserver(output, sink, Math.Max(options.Epochs, fineTune.Epochs), label), ct));
        }
        var result = await ProgressSink.RunAsync(output, sink =>
            new TrainingService(cache).RunAsync(options, items, backbone, run,
                new TrainingProgressObserver(output, sink, options.Epochs, label), ct));
        return result with { Timings = [.. timings.Stages, .. result.Timings] };
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
        trainedOn = r.FinalTrainCount,
        timings = r.Timings.ToDictionary(t => t.Stage, t => Math.Round(t.Seconds, 3)),
        validationHeldOut = r.CarvedValidation,
        test = r.Test is { } t ? new { accuracy = t.Accuracy, ci = t.AccuracyCi, count = t.Count, macroF1 = t.MacroF1, missingClasses = t.MissingClasses } : null,
    };

    internal static void PrintResult(CliOutput output, TrainResult r)
    {
        output.Line($"[green]run {r.Run.Id}[/]: best epoch {r.Fit.BestEpoch} of {r.Fit.Epochs.Count}; model [bold]{Markup.Escape(r.ModelPath)}[/]");
        if (r.Test is { } test)
        {
            output.Line($"test accuracy [bold]{ReportText.Pct(test.Accuracy)}[/] {Markup.Escape(ReportText.Ci(test.AccuracyCi))} on {test.Count} images");
            if (test.MissingClassesNote is { } missing) output.Warn(missing);
            output.Line(Markup.Escape(ReportText.Table(test)));
        }
        else output.Warn("no test split: nothing evaluated (add a test/ folder or keep the default split)");
        if (r.Timings.Count > 0)
            output.Note("time: " + string.Join(", ", r.Timings.Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.Stage} {t.Seconds:0.00} s"))));
    }
}
