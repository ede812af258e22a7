namespace Lookout.Core.Training.Scratch;

/// <summary>
/// How the compact from-scratch CNN is built and trained. Defaults are the recipe measured on Fashion-MNIST
/// (bench <c>scratch</c>): three stages of 3x3 conv + BatchNorm + ReLU, SGD with Nesterov momentum, one-cycle
/// learning rate (linear warm-up, cosine down), label smoothing, and shift / flip / cutout augmentation.
/// </summary>
public sealed record CompactCnnOptions
{
    /// <summary>Channels of the three stages; the last is the embedding size.</summary>
    public int[] Widths { get; init; } = [32, 64, 128];
    /// <summary>Conv layers per stage (the first two stages end in a 2x2 max-pool).</summary>
    public int ConvsPerStage { get; init; } = 2;
    /// <summary>22: measured on Fashion-MNIST (bench scratch, idle 2 cores): 94.1% on all 10,000 test images in 27 min; 15 gave 93.3% in 18 min.</summary>
    public int Epochs { get; init; } = 22;
    public int BatchSize { get; init; } = 128;
    public double LearningRate { get; init; } = 0.1;
    public double WeightDecay { get; init; } = 5e-4;
    public double Momentum { get; init; } = 0.9;
    /// <summary>Share of the steps spent warming the learning rate up linearly.</summary>
    public double WarmupFraction { get; init; } = 0.1;
    public double LabelSmoothing { get; init; } = 0.1;
    public double Dropout { get; init; } = 0.2;
    /// <summary>Random shift of up to this many pixels each way (edges repeated).</summary>
    public int MaxShift { get; init; } = 2;
    public bool HorizontalFlip { get; init; } = true;
    /// <summary>Side of the square cutout (0 = none), applied to half of the images.</summary>
    public int Cutout { get; init; } = 8;
    /// <summary>Epochs without validation-loss improvement before stopping (0 = never).</summary>
    public int Patience { get; init; } = 0;
    public int Seed { get; init; } = 42;

    public CompactCnnOptions Validate()
    {
        if (Widths.Length != 3 || Widths.Any(w => w < 1)) throw new ArgumentException("Widths must be three positive channel counts.", nameof(Widths));
        if (ConvsPerStage < 1) throw new ArgumentException("ConvsPerStage must be at least 1.", nameof(ConvsPerStage));
        if (Epochs < 1) throw new ArgumentException("Epochs must be at least 1.", nameof(Epochs));
        if (BatchSize < 2) throw new ArgumentException("BatchSize must be at least 2 (BatchNorm).", nameof(BatchSize));
        if (LearningRate is <= 0 or > 10) throw new ArgumentException("LearningRate must be in (0, 10].", nameof(LearningRate));
        if (WarmupFraction is < 0 or >= 1) throw new ArgumentException("WarmupFraction must be in [0, 1).", nameof(WarmupFraction));
        if (Dropout is < 0 or >= 1) throw new ArgumentException("Dropout must be in [0, 1).", nameof(Dropout));
        if (MaxShift < 0 || Cutout < 0) throw new ArgumentException("MaxShift and Cutout must be >= 0.");
        return this;
    }
}
