namespace Lookout.Core.Training;

/// <summary>
/// Everything that shapes a training run, with the defaults in one place. Immutable: derive variants with <c>with</c>.
/// Written to the run folder as <c>options.json</c>.
/// </summary>
public sealed record TrainOptions
{
    public int Epochs { get; init; } = 100;
    public double LearningRate { get; init; } = 3e-3;
    public double WeightDecay { get; init; } = 1e-4;
    public int BatchSize { get; init; } = 64;
    /// <summary>Width of the optional hidden layer (ReLU + dropout); 0 = a linear softmax head.</summary>
    public int Hidden { get; init; }
    public double Dropout { get; init; } = 0.2;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Weight classes by inverse frequency so small classes are not ignored.</summary>
    public bool ClassWeights { get; init; } = true;
    /// <summary>Epochs without a validation-loss improvement before stopping (0 = never stop early).</summary>
    public int Patience { get; init; } = 10;
    public int Seed { get; init; } = 42;
    /// <summary>"auto" (CUDA when available), "cpu" or "cuda".</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Evaluate the exported model on the test split after training, when the split is not empty.</summary>
    public bool EvaluateTest { get; init; } = true;
    /// <summary>
    /// Calibrated "unknown": share of known validation images the per-class thresholds accept (0 = no thresholds,
    /// the model never answers unknown).
    /// </summary>
    public double UnknownKeep { get; init; } = 0.95;

    /// <summary>
    /// After epochs (early stopping) and "unknown" thresholds are chosen on validation, train the exported head again
    /// from scratch on train+val with the same seed for exactly the chosen number of epochs, so no labelled image is
    /// left out of the final model. The test split is never touched.
    /// </summary>
    public bool RefitOnTrainVal { get; init; } = true;
    /// <summary>
    /// When the data has no validation split (a train/-only folder), this share of the training images (whole
    /// sources, per class) is held out in memory for validation; 0 trains without validation.
    /// </summary>
    public double ValidationFraction { get; init; } = Datasets.ValidationCarveOut.DefaultFraction;

    public static TrainOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public TrainOptions Validate()
    {
        Check(Epochs >= 1, nameof(Epochs), "must be at least 1");
        Check(LearningRate is > 0 and < 10, nameof(LearningRate), "must be in (0, 10)");
        Check(WeightDecay >= 0, nameof(WeightDecay), "must be >= 0");
        Check(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        Check(Hidden >= 0, nameof(Hidden), "must be >= 0");
        Check(Dropout is >= 0 and < 1, nameof(Dropout), "must be in [0, 1)");
        Check(LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), "must be in [0, 1)");
        Check(Patience >= 0, nameof(Patience), "must be >= 0");
        Check(UnknownKeep is >= 0 and <= 1, nameof(UnknownKeep), "must be in [0, 1]");
        Check(ValidationFraction is >= 0 and < 1, nameof(ValidationFraction), "must be in [0, 1)");
        Check(Device is "auto" or "cpu" or "cuda", nameof(Device), "must be auto, cpu or cuda");
        return this;
    }

    private static void Check(bool ok, string name, string rule)
    {
        if (!ok) throw new ArgumentException($"Training option {name} {rule}.", name);
    }
}
