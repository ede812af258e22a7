using System.Text.Json;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Settings of a fine-tuning run. Defaults live here; <see cref="Validate"/> rejects nonsense before any work.</summary>
public sealed record FineTuneOptions
{
    public int Epochs { get; init; } = 10;
    public int BatchSize { get; init; } = 16;
    /// <summary>How many of the backbone's last Conv blocks are trained (0 = head only, through the backbone).</summary>
    public int TrainableBlocks { get; init; } = 2;
    public double BackboneLearningRate { get; init; } = 1e-4;
    public double HeadLearningRate { get; init; } = 1e-3;
    /// <summary>Decoupled (AdamW) weight decay, applied to weight tensors but not biases or per-channel scales.</summary>
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Linear warm-up length as a fraction of all steps, then cosine decay to zero.</summary>
    public double WarmupFraction { get; init; } = 0.1;
    public double LabelSmoothing { get; init; } = 0.1;
    /// <summary>Stop after this many epochs without a lower validation loss (0 = never stop early).</summary>
    public int Patience { get; init; } = 3;
    /// <summary>Seeds torch, the shuffle order of every epoch and every augmentation draw.</summary>
    public int Seed { get; init; } = 1;
    /// <summary>The backbone output the head reads.</summary>
    public string EmbeddingOutput { get; init; } = "embedding";

    public void Validate()
    {
        static void Check(bool ok, string message) { if (!ok) throw new LookoutException(message); }
        Check(Epochs >= 1, $"Epochs must be at least 1 (got {Epochs}).");
        Check(BatchSize >= 1, $"BatchSize must be at least 1 (got {BatchSize}).");
        Check(TrainableBlocks >= 0, $"TrainableBlocks cannot be negative (got {TrainableBlocks}).");
        Check(BackboneLearningRate >= 0 && HeadLearningRate > 0, "Learning rates must be positive (the backbone's may be 0).");
        Check(WeightDecay >= 0, "WeightDecay cannot be negative.");
        Check(WarmupFraction is >= 0 and < 1, "WarmupFraction must be in [0, 1).");
        Check(LabelSmoothing is >= 0 and < 1, "LabelSmoothing must be in [0, 1).");
        Check(Patience >= 0, "Patience cannot be negative.");
    }

    public string ToJson() => JsonSerializer.Serialize(this);
}
