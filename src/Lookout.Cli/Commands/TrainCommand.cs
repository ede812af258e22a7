using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Pipelines.Train;
using Lookout.Core.Training;
using Lookout.Core.Training.FineTuning;
using Lookout.Core.Training.Scratch;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout train &lt;data-dir&gt;</c> (like <c>yolo classify train data=...</c>): binds the options and runs
/// <see cref="TrainPipeline"/> (scan, split, embed, fit, calibrate, export, evaluate), or resumes a fine-tuning run.
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
        var fromScratch = new Option<FromScratch>("--from-scratch")
        {
            Description = "Train a compact CNN from scratch at the images' native size: auto (when images are small, <= 64 px, and plentiful, >= 500 per class, and no backbone is given), on, off.",
            DefaultValueFactory = _ => FromScratch.Auto,
        };
        var scratchEpochs = new Option<int>("--scratch-epochs") { Description = "Epochs for the from-scratch CNN.", DefaultValueFactory = _ => new CompactCnnOptions().Epochs };
        var command = new Command("train", "Train a classifier on a labelled folder and export it as one ONNX file.")
            { dataDir, backbone, epochs, lr, hidden, patience, smoothing, seed, noClassWeights, DataCommands.Fps, fineTune, ftEpochs, ftBlocks, augment, resume,
              noRefit, trainOnly, fromScratch, scratchEpochs };
        DetectTrainCommand.AddTo(command);
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            // Boxes train a detector (its own pipeline); the options it shares are taken only when given.
            if (parse.GetValue(resume) is { } detectRun && Locations.Run(parse, detectRun) is var (dRun, _) && DetectTrainCommand.IsDetectRun(dRun))
                return await DetectTrainCommand.ResumeAsync(output, dRun, ct);
            if (parse.GetValue(resume) is null && DetectTrainCommand.Wanted(parse, parse.GetValue(dataDir)))
                return await DetectTrainCommand.RunAsync(parse, output, parse.GetValue(dataDir) ?? throw new LookoutException("give the data folder"),
                    parse.GetResult(epochs) is { Implicit: false } ? parse.GetValue(epochs) : null,
                    parse.GetResult(lr) is { Implicit: false } ? parse.GetValue(lr) : null, parse.GetValue(seed), ct);
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
                result = await ProgressSink.RunAsync(output, sink =>
                    TrainPipeline.ResumeAsync(new ResumeRequest(workspace, run), new CliPipelineObserver(output, sink), ct));
            }
            else
            {
                var dir = parse.GetValue(dataDir) ?? throw new LookoutException("give the data folder (or --resume <run>)");
                var request = new TrainRequest
                {
                    DataDir = dir, Workspace = Locations.ForData(parse, dir), Head = options,
                    Backbone = parse.GetValue(backbone)!, BackboneChosen = parse.GetResult(backbone) is { Implicit: false },
                    FineTune = parse.GetValue(fineTune)
                        ? ft with { Epochs = parse.GetValue(ftEpochs), TrainableBlocks = parse.GetValue(ftBlocks), Seed = options.Seed }
                        : null,
                    Augment = parse.GetValue(augment),
                    Scan = new ScanOptions { FramesPerSecond = parse.GetValue(DataCommands.Fps) },
                    TrainOnly = parse.GetValue(trainOnly),
                    FromScratch = parse.GetValue(fromScratch),
                    Scratch = new CompactCnnOptions { Epochs = parse.GetValue(scratchEpochs) },
                };
                result = (await RunAsync(request, output, ct)).Run;
            }
            if (output.Json) output.WriteJson(Summary(result));
            else PrintResult(output, result);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The train pipeline with progress bars; shared by <c>train</c> and <c>demo</c> (which labels its two runs).</summary>
    internal static Task<TrainPipelineResult> RunAsync(TrainRequest request, CliOutput output, CancellationToken ct, string label = "") =>
        ProgressSink.RunAsync(output, sink => TrainPipeline.RunAsync(request, new CliPipelineObserver(output, sink, label), ct));

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
