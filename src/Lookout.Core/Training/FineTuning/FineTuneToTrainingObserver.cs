namespace Lookout.Core.Training.FineTuning;

/// <summary>Feeds fine-tuning epochs to the run sinks written for <see cref="ITrainingObserver"/> (metrics.tsv, log, console).</summary>
public sealed class FineTuneToTrainingObserver(ITrainingObserver inner) : IFineTuneObserver
{
    public void OnEpochEnd(FineTuneEpoch e) => inner.OnEpochEnd(
        new EpochMetrics(e.Epoch, e.TrainLoss, double.NaN, e.ValLoss, e.ValAccuracy, e.Improved, TimeSpan.FromSeconds(e.Seconds)));
}
