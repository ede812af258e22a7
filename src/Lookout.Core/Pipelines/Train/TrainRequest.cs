using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Training;
using Lookout.Core.Training.FineTuning;
using Lookout.Core.Training.Scratch;

namespace Lookout.Core.Pipelines.Train;

/// <summary>What <c>train</c> is asked to do: which folder, which workspace, which backbone, and how to train.</summary>
public sealed record TrainRequest
{
    public required string DataDir { get; init; }
    public required Workspace Workspace { get; init; }
    /// <summary>A name from <see cref="BackboneResolver.Names"/> or a backbone .onnx path.</summary>
    public string Backbone { get; init; } = BackboneResolver.DefaultName;
    /// <summary>The user named the backbone (even the default one): <see cref="FromScratch.Auto"/> then keeps it.</summary>
    public bool BackboneChosen { get; init; }
    /// <summary>Head training (and, with fine-tuning, the probe's) options; its seed also seeds the split.</summary>
    public TrainOptions Head { get; init; } = TrainOptions.Default;
    /// <summary>Null trains a head on cached embeddings; set, the last backbone blocks are fine-tuned after a probe.</summary>
    public FineTuneOptions? FineTune { get; init; }
    /// <summary>Fine-tune on augmented images.</summary>
    public bool Augment { get; init; }
    public ScanOptions Scan { get; init; } = new();
    /// <summary>Shares of new (unassigned) items that go to validation and test.</summary>
    public double ValFraction { get; init; } = 0.15;
    public double TestFraction { get; init; } = 0.15;
    /// <summary>
    /// The folder is training data only: new items get no test split (the user evaluates on their own test folder),
    /// and when no validation split exists either, a share of the training images validates (see <see cref="ValidationCarveOut"/>).
    /// </summary>
    public bool TrainOnly { get; init; }
    /// <summary>Whether a compact CNN is trained from scratch at the images' native size instead of a head on a backbone.</summary>
    public FromScratch FromScratch { get; init; } = FromScratch.Auto;
    public CompactCnnOptions Scratch { get; init; } = new();

    internal bool BackboneAskedFor => BackboneChosen || FineTune is not null || !string.Equals(Backbone, BackboneResolver.DefaultName, StringComparison.Ordinal);

    internal SplitOptions SplitOptions
    {
        get
        {
            double test = TrainOnly ? 0 : TestFraction;
            return new() { Seed = Head.Seed, Train = 1 - ValFraction - test, Val = ValFraction, Test = test };
        }
    }
}

/// <summary>
/// <c>--from-scratch</c>: <see cref="Auto"/> trains the compact CNN when <see cref="SmallImagePolicy"/> says the images
/// are small and plentiful and no backbone was asked for; <see cref="On"/> always, <see cref="Off"/> never.
/// </summary>
public enum FromScratch { Auto, On, Off }

/// <summary>Continue a stopped fine-tuning run of a workspace.</summary>
public sealed record ResumeRequest(Workspace Workspace, RunFolder Run);

/// <summary>The whole <c>train</c> pipeline's outcome: what the scan and the split did, and the run it trained.</summary>
public sealed record TrainPipelineResult(ScanResult Scan, SplitResult Split, TrainResult Run);
