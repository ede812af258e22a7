using Lookout.Core.Training;

namespace Lookout.Core.Pipelines;

/// <summary>The steps pipelines are made of, in the order <c>train</c> runs them.</summary>
public enum PipelinePhase { Scan, Split, Embed, Train, FineTune, Calibrate, Export, Evaluate, Analyze, Render }

/// <summary>How far a phase got: <see cref="Done"/> of <see cref="Total"/> <see cref="Unit"/>s (files, frames, images, steps).</summary>
public sealed record PhaseProgress(PipelinePhase Phase, string Unit, double Done, double Total)
{
    public const string Files = "files";
    public const string Frames = "frames";
    public const string Images = "images";
    public const string Steps = "steps";
}

/// <summary>
/// Everything a pipeline reports while it runs, in one place: the CLI draws it as progress bars and notes, the server
/// turns it into job events. All methods have empty defaults. Events may arrive on worker threads; stopping is the
/// CancellationToken's job, never an observer's.
/// </summary>
public interface IPipelineObserver
{
    /// <summary>A step starts or says something worth one line ("split 12 new items: train 8, val 2, test 2").</summary>
    void OnMessage(PipelinePhase phase, string message) { }

    void OnProgress(PhaseProgress progress) { }

    /// <summary>An epoch of head training or fine-tuning ended; <paramref name="maxEpochs"/> is the most there will be (early stopping may end sooner).</summary>
    void OnEpoch(PipelinePhase phase, EpochMetrics metrics, int maxEpochs) { }

    /// <summary>Something was skipped or degraded, and the run carries on.</summary>
    void OnWarning(PipelinePhase phase, string message) { }
}

/// <summary>The observer that ignores everything (the default when a caller passes none).</summary>
public sealed class NullPipelineObserver : IPipelineObserver
{
    public static readonly NullPipelineObserver Instance = new();
}
