namespace Lookout.Core.Training.Detection;

/// <summary>How a detector is fine-tuned. Defaults suit a few hundred boxed images on a small CPU.</summary>
public sealed record DetectorTrainOptions
{
    /// <summary>Epochs to train; null (the default) picks them by data size with <see cref="EpochsFor"/>.</summary>
    public int? Epochs { get; init; }
    public int BatchSize { get; init; } = 8;
    /// <summary>Model input side (multiple of 32); the exported detector runs at this size. 320 costs ~0.6x of NanoDet's 416.</summary>
    public int InputSize { get; init; } = 320;
    public double LearningRate { get; init; } = 2e-3;
    public double WeightDecay { get; init; } = 0.05;
    /// <summary>Conv layers trained, counted from the output (6 = NanoDet's three head branches; more reach into the neck).</summary>
    public int TrainableConvs { get; init; } = 6;
    public bool Augment { get; init; } = true;
    public double Mosaic { get; init; } = 0.3;
    public int Seed { get; init; } = 1;
    /// <summary>
    /// Which COCO class each of the user's classes starts from, beyond the classes whose names are COCO's already
    /// (the studio passes the box editor's mapping, e.g. "mila" from "dog"). Unknown COCO names are ignored.
    /// </summary>
    public IReadOnlyDictionary<string, string>? StartFrom { get; init; }

    /// <summary>Training image passes the default aims at: 300 boxed images (210 for training) get 15 epochs.</summary>
    public const int ImagePassBudget = 3000;
    public const int MinAutoEpochs = 8, MaxAutoEpochs = 30;

    /// <summary>
    /// The epochs for <paramref name="trainImages"/> training images: <see cref="Epochs"/> when set, else about
    /// <see cref="ImagePassBudget"/> image passes, at least <see cref="MinAutoEpochs"/> and at most
    /// <see cref="MaxAutoEpochs"/>. Measured (README, bench detecttrain): on 300 generated images the test mAP has
    /// levelled off well before 30 epochs, and 30 epochs do not fit the 30-minute goal on a busy 2-core machine.
    /// A pure function of the data size, so a run and its resume agree and a seed reproduces it.
    /// </summary>
    public int EpochsFor(int trainImages) =>
        Epochs ?? Math.Clamp((ImagePassBudget + Math.Max(1, trainImages) - 1) / Math.Max(1, trainImages), MinAutoEpochs, MaxAutoEpochs);

    public void Validate()
    {
        if (Epochs is < 1) throw new ArgumentException("epochs must be at least 1");
        if (BatchSize < 1) throw new ArgumentException("batch size must be at least 1");
        if (InputSize < 64 || InputSize % 32 != 0) throw new ArgumentException($"input size must be a multiple of 32 and at least 64, got {InputSize}");
        if (!(LearningRate > 0)) throw new ArgumentException("learning rate must be positive");
        if (TrainableConvs < 1) throw new ArgumentException("at least one conv layer must be trained");
        if (Mosaic is < 0 or > 1) throw new ArgumentException("mosaic probability must be in [0,1]");
    }
}
