using Lookout.Core;
using Lookout.Core.Pipelines;
using Lookout.Core.Pipelines.Detect;
using Lookout.Core.Runs;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Boxes;
using Lookout.Core.Studio.Jobs;
using Lookout.Core.Training.Detection;

namespace Lookout.Server.Studio.Jobs;

/// <summary>
/// A detection project's training job: one call into <see cref="DetectTrainPipeline"/> on the project's data folder (the
/// YOLO files the box editor writes). A job a stopped server left running continues its run from the last epoch
/// checkpoint (<see cref="DetectTrainPipeline.ResumeAsync"/>); when that cannot be (the boxes changed meanwhile) a new
/// run starts, and the events say so.
/// </summary>
internal static class DetectJob
{
    public static async Task<string> RunAsync(StudioProject project, TrainJob job, RunFolder? interrupted, IPipelineObserver observer, CancellationToken ct)
    {
        if (interrupted is not null && DetectTrainPipeline.ReadPlan(interrupted) is not null)
        {
            try { return (await DetectTrainPipeline.ResumeAsync(interrupted, observer, ct)).Run.Id; }
            catch (LookoutException e) { observer.OnWarning(PipelinePhase.FineTune, $"cannot resume run {interrupted.Id} ({e.Message}); training a new run"); }
        }
        return (await DetectTrainPipeline.RunAsync(Request(project, job), observer, ct)).Run.Id;
    }

    public static DetectTrainRequest Request(StudioProject project, TrainJob job) => new()
    {
        DataDir = project.DataDir,
        Workspace = project.Workspace,
        Format = Lookout.Core.Datasets.Boxes.BoxFormat.Yolo,
        // The box editor's mapping (COCO "dog" -> "mila") says which COCO class each project class starts from.
        Options = new DetectorTrainOptions
        {
            Epochs = job.Epochs ?? DetectEstimator.EpochsOf(job.Mode),
            StartFrom = BoxSuggester.Map(project).GroupBy(m => m.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal),
        },
    };
}
