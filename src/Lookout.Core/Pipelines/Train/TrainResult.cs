using Lookout.Core.Datasets;
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

    /// <summary>This result with the files the data scan could not use (full paths, each with its reason) listed first in <see cref="Skipped"/>.</summary>
    public TrainResult WithScanProblems(string dataDir, ScanResult scan) =>
        this with { Skipped = [.. scan.Problems.Select(p => new ItemError(Path.Join(Path.GetFullPath(dataDir), p.Path), p.Reason)), .. Skipped] };

    /// <summary>Metrics of the epoch whose weights were kept.</summary>
    public EpochMetrics BestEpoch => Fit.Epochs[Math.Max(Fit.BestEpoch, 1) - 1];
}
