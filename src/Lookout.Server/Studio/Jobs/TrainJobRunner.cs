using System.Collections.Concurrent;
using System.Text.Json;
using Lookout.Core;
using Lookout.Core.IO;
using Lookout.Core.Pipelines.Train;
using Lookout.Core.Runs;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Boxes;
using Lookout.Core.Studio.Jobs;
using Lookout.Core.Studio.Results;
using Lookout.Core.Training;
using Lookout.Core.Training.FineTuning;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Studio.Jobs;

/// <summary>
/// Runs the studio's training jobs in the background: one at a time per project (the others wait in the queue), each one
/// call into <see cref="TrainPipeline"/> with a <see cref="JobObserver"/>. Cancel stops a job for good; a server that
/// stops leaves its running jobs Running in jobs.db, and on the next start they continue: a fine-tuning run from its
/// last checkpoint (<see cref="TrainPipeline.ResumeAsync"/>), a head run from the beginning (it takes seconds).
/// A detection project's jobs train its boxes instead (<see cref="DetectJob"/>), through the same queue, events and cancel.
/// </summary>
public sealed class TrainJobRunner(StudioHost studio, ILogger<TrainJobRunner> log) : IHostedService
{
    private sealed class Worker
    {
        public readonly Lock Gate = new();
        public bool Active;
        public long? Job;
        public CancellationTokenSource? Cancel;
        public Task Loop = Task.CompletedTask;
    }

    private readonly ConcurrentDictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public TrainJob Enqueue(ProjectServices p, JobMode mode, int? epochs)
    {
        if (epochs is < 1 or > 1000) throw new StudioException("epochs must be between 1 and 1000");
        var job = p.Jobs.Enqueue(mode, epochs);
        Kick(p);
        return job;
    }

    /// <summary>Cancels a queued or running job; false when it already ended.</summary>
    public bool Cancel(ProjectServices p, long id)
    {
        var job = p.Jobs.Get(id) ?? throw new StudioException($"no job {id}", StudioProblem.NotFound);
        if (job.IsFinished) return false;
        if (p.Jobs.CancelQueued(id)) { p.Jobs.AddEvent(id, "state", """{"state":"cancelled"}"""); return true; }
        var w = _workers.GetOrAdd(p.Project.Name, _ => new Worker());
        lock (w.Gate)
        {
            if (w.Job != id) return false;
            w.Cancel?.Cancel();
            return true;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var project in studio.Store.List())
        {
            var p = studio.Open(project.Name);
            if (p.Jobs.Unfinished().Count > 0) Kick(p);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try { await Task.WhenAll(_workers.Values.Select(w => w.Loop)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken); }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException) { log.LogWarning("Training jobs did not stop in time; they resume on the next start"); }
    }

    private void Kick(ProjectServices p)
    {
        var w = _workers.GetOrAdd(p.Project.Name, _ => new Worker());
        lock (w.Gate)
        {
            if (w.Active || _stopping.IsCancellationRequested) return;
            w.Active = true;
            w.Loop = Task.Run(() => LoopAsync(p, w));
        }
    }

    private async Task LoopAsync(ProjectServices p, Worker w)
    {
        while (true)
        {
            TrainJob? next;
            lock (w.Gate)
            {
                next = _stopping.IsCancellationRequested ? null : p.Jobs.Unfinished().FirstOrDefault();
                if (next is null) { w.Active = false; return; }
                w.Job = next.Id;
                w.Cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            }
            bool recorded = true;
            try { await RunAsync(p, next, w.Cancel.Token); }
            catch (Exception e)
            {
                log.LogError(e, "Training job {Job} of {Project} crashed", next.Id, p.Project.Name);
                recorded = TryRecordFailure(p, next.Id, DiskFull.Is(e) ? Reason(p.Project, e) : "internal error");
            }
            finally
            {
                lock (w.Gate) { w.Job = null; w.Cancel.Dispose(); w.Cancel = null; }
            }
            if (!recorded)
            {
                // The job stays unfinished in the catalog: the next job posted (or the next start) runs it again. Taking
                // it again now would spin on a disk that cannot record anything.
                lock (w.Gate) w.Active = false;
                return;
            }
        }
    }

    private async Task RunAsync(ProjectServices p, TrainJob job, CancellationToken ct)
    {
        var project = p.Project;
        var runs = new RunStore(project.Workspace.RunsDir);
        bool resumed = job.State == JobState.Running;
        DiskReserve.Keep(project.Workspace.Root);
        if (!p.Jobs.Start(job.Id)) return; // cancelled between the queue and here
        var before = RunIds(runs).ToHashSet(StringComparer.Ordinal);
        string? NewRun() => RunIds(runs).FirstOrDefault(id => !before.Contains(id));
        var observer = new JobObserver(p.Jobs, job.Id, project.Root, NewRun, run => p.Jobs.SetRun(job.Id, run));
        observer.State("running", resumed ? "resumed after a server restart" : null);
        try
        {
            await p.Scanner.ScanAsync(ct); // the catalog is current, under the project's gate, before the pipeline reads it
            string run;
            var folder = job.Run is { } id && Directory.Exists(Path.Combine(runs.Root, id)) ? runs.Open(id) : null;
            if (BoxProject.IsDetection(project))
            {
                run = await DetectJob.RunAsync(project, job, resumed ? folder : null, observer, ct);
                p.Jobs.SetRun(job.Id, run);
                p.Jobs.Finish(job.Id, JobState.Done);
                observer.State("done", run);
                return;
            }
            if (resumed && folder is not null && RunStore.StateOf(folder) == RunState.Complete)
            {
                observer.OnMessage(Core.Pipelines.PipelinePhase.Train, $"run {folder.Id} had exported its model before the stop; finishing it");
                run = (await TrainPipeline.FinishExportedAsync(new ResumeRequest(project.Workspace, folder), observer, ct)).Id;
            }
            else if (resumed && job.Mode == JobMode.Better && folder is not null && RunStore.StateOf(folder) == RunState.Resumable)
                run = await ResumeOrRestartAsync(p, job, folder, observer, ct);
            else
            {
                if (resumed) observer.OnMessage(Core.Pipelines.PipelinePhase.Train, "the interrupted head training starts again (it takes seconds)");
                run = (await TrainPipeline.RunAsync(Request(project, job), observer, ct)).Run.Run.Id;
            }
            p.Jobs.SetRun(job.Id, run);
            await RunPredictions.LoadOrComputeAsync(project, runs.Open(run), ct);
            p.Jobs.Finish(job.Id, JobState.Done);
            observer.State("done", run);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            observer.State("interrupted", "the server stopped; the job continues when it starts again");
        }
        catch (OperationCanceledException)
        {
            p.Jobs.Finish(job.Id, JobState.Cancelled);
            observer.State("cancelled");
        }
        catch (Exception e) when (e is LookoutException or ArgumentException or InvalidOperationException or IOException or StudioException || DiskFull.Is(e))
        {
            var reason = Reason(project, e);
            if (DiskFull.Is(e)) DiskReserve.Release(project.Workspace.Root); // room to record that it failed, and why
            p.Jobs.Finish(job.Id, JobState.Failed, reason);
            observer.State("failed", reason);
        }
    }

    /// <summary>What the user reads about a failed job: the message, with the project's folder as "project".</summary>
    private static string Reason(StudioProject project, Exception e) =>
        DiskFull.MessageOf(e, project.Root).Replace(project.Root, "project", StringComparison.Ordinal);

    /// <summary>Marks a job failed after an unexpected error; false when even that could not be written.</summary>
    private bool TryRecordFailure(ProjectServices p, long job, string reason)
    {
        try
        {
            DiskReserve.Release(p.Project.Workspace.Root);
            p.Jobs.Finish(job, JobState.Failed, reason);
            p.Jobs.AddEvent(job, "state", JsonSerializer.Serialize(new { state = "failed", text = reason }));
            return true;
        }
        catch (Exception e)
        {
            log.LogError("Training job {Job} of {Project} failed and that could not be recorded: {Error}", job, p.Project.Name, e.Message);
            return false;
        }
    }

    private static async Task<string> ResumeOrRestartAsync(ProjectServices p, TrainJob job, RunFolder folder, JobObserver observer, CancellationToken ct)
    {
        try
        {
            return (await TrainPipeline.ResumeAsync(new ResumeRequest(p.Project.Workspace, folder), observer, ct)).Run.Id;
        }
        catch (LookoutException e)
        {
            observer.OnWarning(Core.Pipelines.PipelinePhase.FineTune, $"cannot resume run {folder.Id} ({e.Message}); training a new run");
            return (await TrainPipeline.RunAsync(Request(p.Project, job), observer, ct)).Run.Run.Id;
        }
    }

    private static IEnumerable<string> RunIds(RunStore runs) =>
        Directory.Exists(runs.Root) ? Directory.EnumerateDirectories(runs.Root).Select(d => Path.GetFileName(d)) : [];

    internal static TrainRequest Request(StudioProject project, TrainJob job) => new()
    {
        DataDir = project.DataDir,
        Workspace = project.Workspace,
        Backbone = project.Backbone,
        Head = job.Mode == JobMode.Quick && job.Epochs is { } e ? TrainOptions.Default with { Epochs = e } : TrainOptions.Default,
        FineTune = job.Mode == JobMode.Better ? new FineTuneOptions { Epochs = job.Epochs ?? TrainEstimator.DefaultFineTuneEpochs } : null,
    };
}
