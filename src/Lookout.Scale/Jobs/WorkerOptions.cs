namespace Lookout.Scale.Jobs;

/// <summary>How one <c>lookout worker</c> process takes work.</summary>
public sealed record WorkerOptions
{
    /// <summary>Names this worker in the results table and in logs.</summary>
    public string Name { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
    /// <summary>Unacked batches the broker hands this worker at once (the rest stay queued for other workers).</summary>
    public ushort Prefetch { get; init; } = 2;
    /// <summary>Batches processed at once: 2 lets one batch decode while the other is in the model.</summary>
    public int Concurrency { get; init; } = 2;
    /// <summary>Tries per image (a corrupt image) and deliveries per batch (a batch that kills workers) before dead-lettering.</summary>
    public int MaxTries { get; init; } = 3;
    /// <summary>Where models fetched from the database are kept, by content hash.</summary>
    public string ModelCacheDir { get; init; } = Path.Combine(Path.GetTempPath(), "lookout-worker-models");
    /// <summary>Exit after this long with nothing to do (null: run until stopped).</summary>
    public TimeSpan? IdleExit { get; init; }
    /// <summary>ONNX Runtime threads per batch (0: all cores).</summary>
    public int IntraOpThreads { get; init; }
}
