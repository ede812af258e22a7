using Lookout.Scale.Messages;

namespace Lookout.Scale.Store;

/// <summary>A submitted job: which model (by content hash) does which task over how many images.</summary>
public sealed record JobInfo(string JobId, string ModelId, string ModelName, JobTask Task, int Top, int Total, DateTimeOffset Created);

/// <summary>One image of a job as submitted: its position, name and content hash.</summary>
public sealed record JobItem(int Seq, string Name, string Sha256);

/// <summary>A classify or embed answer for one image, as a worker writes it.</summary>
public sealed record ImageResult(string Sha256, string? Label, float? Score, bool? Unknown, string? PredictionsJson, float[]? Embedding);

/// <summary>An image that could not be answered after its tries.</summary>
public sealed record ImageFailure(string Sha256, string Reason, int Tries);

/// <summary>One row of a job's results: the submitted item with its answer, its failure, or neither yet.</summary>
public sealed record JobResultRow(int Seq, string Name, string Sha256, string? Label, float? Score, bool? Unknown, string? PredictionsJson,
    float[]? Embedding, string? Error, string? Worker);

/// <summary>
/// A job's progress. <see cref="ImagesPerSecond"/> is measured from the results written for this job (first to
/// last), so the ETA follows the workers' real pace, not the time since submission.
/// </summary>
public sealed record JobProgress(JobInfo Job, int Done, int Failed, double? ImagesPerSecond)
{
    public int Finished => Done + Failed;
    public int Remaining => Math.Max(0, Job.Total - Finished);
    public bool Complete => Remaining == 0;
    public double Fraction => Job.Total == 0 ? 1 : (double)Finished / Job.Total;
    public TimeSpan? Eta => Complete ? TimeSpan.Zero : ImagesPerSecond is > 0 and var r ? TimeSpan.FromSeconds(Remaining / r) : null;
}
