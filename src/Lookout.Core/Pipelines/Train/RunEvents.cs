using Lookout.Core.Models;
using Lookout.Core.Training;

namespace Lookout.Core.Pipelines.Train;

/// <summary>
/// Fans a training run's events out to the run folder's own sinks (log.txt, metrics.tsv, TensorBoard: whatever
/// <paramref name="sinks"/> holds) and to the caller's observer. It is also the <see cref="ITrainingObserver"/> the head
/// trainer reports epochs to, so every epoch lands in the files and on the caller's screen alike.
/// </summary>
internal sealed class RunEvents(IPipelineObserver observer, ITrainingObserver sinks, PipelinePhase epochPhase, int maxEpochs) : ITrainingObserver
{
    public IPipelineObserver Observer => observer;

    public void Message(PipelinePhase phase, string text)
    {
        sinks.OnStage(text);
        observer.OnMessage(phase, text);
    }

    public void Warning(PipelinePhase phase, string text)
    {
        sinks.OnWarning(text);
        observer.OnWarning(phase, text);
    }

    public void OnEmbeddingProgress(BatchProgress p)
    {
        sinks.OnEmbeddingProgress(p);
        observer.OnProgress(new PhaseProgress(PipelinePhase.Embed, PhaseProgress.Images, p.Done, p.Total));
    }

    public void OnEpochEnd(EpochMetrics m)
    {
        sinks.OnEpochEnd(m);
        observer.OnEpoch(epochPhase, m, maxEpochs);
    }

    void ITrainingObserver.OnStage(string stage) => Message(epochPhase, stage);
    void ITrainingObserver.OnWarning(string message) => Warning(epochPhase, message);
}
