namespace Lookout.Core.Training.Detection;

/// <summary>How a detector is fine-tuned. Defaults suit a few hundred boxed images on a small CPU.</summary>
public sealed record DetectorTrainOptions
{
    public int Epochs { get; init; } = 30;
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

    public void Validate()
    {
        if (Epochs < 1) throw new ArgumentException("epochs must be at least 1");
        if (BatchSize < 1) throw new ArgumentException("batch size must be at least 1");
        if (InputSize < 64 || InputSize % 32 != 0) throw new ArgumentException($"input size must be a multiple of 32 and at least 64, got {InputSize}");
        if (!(LearningRate > 0)) throw new ArgumentException("learning rate must be positive");
        if (TrainableConvs < 1) throw new ArgumentException("at least one conv layer must be trained");
        if (Mosaic is < 0 or > 1) throw new ArgumentException("mosaic probability must be in [0,1]");
    }
}
