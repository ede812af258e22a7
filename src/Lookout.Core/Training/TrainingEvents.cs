using Lookout.Core.Models;

namespace Lookout.Core.Training;

/// <summary>Metrics of one epoch. Validation values are NaN when there is no validation split.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValLoss, double ValAccuracy, bool Improved, TimeSpan Elapsed);

/// <summary>
/// Every event a training run raises, in one place: the run folder's sinks (log.txt, metrics.tsv, TensorBoard) implement
/// what they need, and the pipelines forward the same events to their callers (console, web page) as
/// <c>IPipelineObserver</c> events. All methods have empty defaults. Stopping is done with the CancellationToken, never
/// from an observer.
/// </summary>
public interface ITrainingObserver
{
    void OnStage(string stage) { }
    void OnEmbeddingProgress(BatchProgress progress) { }
    void OnEpochEnd(EpochMetrics metrics) { }
    void OnWarning(string message) { }
}

/// <summary>Fans one event out to several observers.</summary>
public sealed class CompositeObserver(params ITrainingObserver?[] observers) : ITrainingObserver
{
    private readonly ITrainingObserver[] _all = observers.OfType<ITrainingObserver>().ToArray();

    public void OnStage(string stage) { foreach (var o in _all) o.OnStage(stage); }
    public void OnEmbeddingProgress(BatchProgress progress) { foreach (var o in _all) o.OnEmbeddingProgress(progress); }
    public void OnEpochEnd(EpochMetrics metrics) { foreach (var o in _all) o.OnEpochEnd(metrics); }
    public void OnWarning(string message) { foreach (var o in _all) o.OnWarning(message); }
}
