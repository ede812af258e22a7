namespace Lookout.Core.Studio.Jobs;

/// <summary>quick = a head on cached embeddings (seconds); better = probe, then the last backbone blocks fine-tuned on the images.</summary>
public enum JobMode { Quick, Better }

/// <summary>Queued, then Running (also while a restarted server resumes it), then one of the three ends.</summary>
public enum JobState { Queued, Running, Done, Failed, Cancelled }

/// <summary>
/// One training job of a project. <see cref="Run"/> is the run folder it trains into, known once the pipeline made it;
/// <see cref="Attempts"/> counts starts (more than one: resumed after a restart). <see cref="Epochs"/> overrides the
/// mode's epoch count when set.
/// </summary>
public sealed record TrainJob(long Id, JobMode Mode, JobState State, string? Run, DateTimeOffset Created, DateTimeOffset? Started,
    DateTimeOffset? Finished, string? Error, int Attempts, int? Epochs)
{
    public bool IsFinished => State is JobState.Done or JobState.Failed or JobState.Cancelled;
}

/// <summary>
/// Something a job reported, in order (<see cref="Seq"/> grows per project): kind is message, warning, progress, epoch
/// or state; <see cref="Json"/> is the kind's payload as a JSON object (the browser draws it as it is).
/// </summary>
public sealed record JobEvent(long Seq, long Job, DateTimeOffset Time, string Kind, string Json);
