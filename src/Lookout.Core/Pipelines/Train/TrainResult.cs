using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Lookout.Core.Training;

namespace Lookout.Core.Pipelines.Train;

/// <summary>What a training run produced.</summary>
public sealed record TrainResult(
    RunFolder Run,
    IReadOnlyList<string> Labels,
    HeadFit Fit,
    EvaluationReport? Test,
    IReadOnlyList<ItemError> Skipped,
    double EmbeddingImagesPerSecond,
    int EmbeddingsFromCache)
{
    public string ModelPath => Run.ModelPath;

    /// <summary>Metrics of the epoch whose weights were kept.</summary>
    public EpochMetrics BestEpoch => Fit.Epochs[Math.Max(Fit.BestEpoch, 1) - 1];
}
