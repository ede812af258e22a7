using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Models.Heads;
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

    /// <summary>The head in the exported model: <see cref="Fit"/>'s, or the train+val refit's when there was one.</summary>
    public HeadWeights Head { get; init; } = Fit.Head;

    /// <summary>Embeddings the exported head was trained on (train, or train+val after the refit).</summary>
    public int FinalTrainCount { get; init; }

    /// <summary>Validation images held out of a train-only folder for this run (0 when the data had a validation split).</summary>
    public int CarvedValidation { get; init; }

    /// <summary>Where the run's time went, stage by stage.</summary>
    public IReadOnlyList<StageTiming> Timings { get; init; } = [];

    /// <summary>This result with the files the data scan could not use (full paths, each with its reason) listed first in <see cref="Skipped"/>.</summary>
    public TrainResult WithScanProblems(string dataDir, ScanResult scan) =>
        this with { Skipped = [.. scan.Problems.Select(p => new ItemError(Path.Join(Path.GetFullPath(dataDir), p.Path), p.Reason)), .. Skipped] };

    /// <summary>Metrics of the epoch whose weights were kept.</summary>
    public EpochMetrics BestEpoch => Fit.Epochs[Math.Max(Fit.BestEpoch, 1) - 1];
}
