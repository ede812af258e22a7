using Lookout.Scale.Messages;

namespace Lookout.Scale.Jobs;

/// <summary>What <c>lookout jobs submit</c> asks for: images (already expanded to files), the exported model, the task.</summary>
public sealed record SubmitRequest(IReadOnlyList<string> Files, string ModelPath, JobTask Task, int Top = 5, int BatchSize = 32)
{
    /// <summary>A batch is cut early when its images reach this many bytes, so messages stay well under the broker's 128 MB limit.</summary>
    public long MaxBatchBytes { get; init; } = 16L * 1024 * 1024;
    /// <summary>Publishes awaiting their confirm at once: enough to keep the link busy, few enough to bound memory.</summary>
    public int PublishWindow { get; init; } = 16;
    /// <summary>Continue this job (a submit that died): files whose batch the broker confirmed are skipped unread.</summary>
    public string? ResumeJobId { get; init; }
}

/// <summary>What was enqueued: the job id, the images it covers, those answered before (not enqueued again), and unreadable files.</summary>
public sealed record SubmitOutcome(string JobId, string ModelId, int Images, int Batches, int AlreadyDone, IReadOnlyList<(string Path, string Reason)> Unreadable)
{
    /// <summary>Resume only: files already queued for this job by the run that died, skipped without reading them.</summary>
    public int AlreadyQueued { get; init; }
}
