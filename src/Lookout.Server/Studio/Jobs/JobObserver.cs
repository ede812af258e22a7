using System.Diagnostics;
using System.Text.Json;
using Lookout.Core.Pipelines;
using Lookout.Core.Studio.Jobs;
using Lookout.Core.Training;

namespace Lookout.Server.Studio.Jobs;

/// <summary>
/// Turns a pipeline's reports into job events: every message, warning and epoch, and progress at most every
/// <see cref="ProgressInterval"/> per phase (plus each phase's last step), with an ETA from the phase's own rate.
/// <see cref="OnRunKnown"/> is told the run folder as soon as the pipeline made it, so a restart can resume it.
/// </summary>
internal sealed class JobObserver(JobStore store, long job, string projectRoot, Func<string?> findNewRun, Action<string> onRunKnown) : IPipelineObserver
{
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<PipelinePhase, (Stopwatch Clock, TimeSpan? Last)> _phases = [];
    private readonly Lock _gate = new();
    private string? _run;

    public void OnMessage(PipelinePhase phase, string message)
    {
        CheckRun();
        Add("message", new { phase = Name(phase), text = Private(message) });
    }

    public void OnWarning(PipelinePhase phase, string message) => Add("warning", new { phase = Name(phase), text = Private(message) });

    public void OnEpoch(PipelinePhase phase, EpochMetrics m, int maxEpochs) => Add("epoch", new
    {
        phase = Name(phase), epoch = m.Epoch, maxEpochs, trainLoss = Finite(m.TrainLoss), trainAccuracy = Finite(m.TrainAccuracy),
        valLoss = Finite(m.ValLoss), valAccuracy = Finite(m.ValAccuracy), improved = m.Improved, seconds = Math.Round(m.Elapsed.TotalSeconds, 2),
    });

    public void OnProgress(PhaseProgress p)
    {
        double? eta;
        lock (_gate)
        {
            if (!_phases.TryGetValue(p.Phase, out var state)) state = (Stopwatch.StartNew(), null);
            var now = state.Clock.Elapsed;
            bool last = p.Total > 0 && p.Done >= p.Total;
            if (!last && state.Last is { } previous && now - previous < ProgressInterval) { _phases[p.Phase] = state; return; }
            _phases[p.Phase] = (state.Clock, now);
            eta = p.Done > 0 && p.Total > p.Done ? Math.Round(now.TotalSeconds / p.Done * (p.Total - p.Done), 1) : null;
        }
        CheckRun();
        Add("progress", new { phase = Name(p.Phase), unit = p.Unit, done = p.Done, total = p.Total, etaSeconds = eta });
    }

    public void State(string state, string? text = null) => Add("state", new { state, text = text is null ? null : Private(text) });

    /// <summary>The browser is never told server paths: the project's folder is written as "project/".</summary>
    private string Private(string text) => text.Replace(projectRoot.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, "project/", StringComparison.Ordinal)
        .Replace(projectRoot, "project", StringComparison.Ordinal);

    private void CheckRun()
    {
        if (_run is not null) return;
        if (findNewRun() is { } run) { _run = run; onRunKnown(run); }
    }

    private void Add(string kind, object payload) => store.AddEvent(job, kind, JsonSerializer.Serialize(payload, Json));

    private static string Name(PipelinePhase phase) => phase.ToString().ToLowerInvariant();

    private static double? Finite(double v) => double.IsFinite(v) ? Math.Round(v, 5) : null;
}
