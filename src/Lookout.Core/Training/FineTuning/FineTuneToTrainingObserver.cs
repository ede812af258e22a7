namespace Lookout.Core.Training.FineTuning;

/// <summary>
/// Feeds fine-tuning epochs to the run sinks written for <see cref="ITrainingObserver"/> (metrics.tsv, log, console),
/// numbered from 1 like head-training epochs (the trainer counts from 0).
/// </summary>
public sealed class FineTuneToTrainingObserver(ITrainingObserver inner) : IFineTuneObserver
{
    public void OnEpochEnd(FineTuneEpoch e) => inner.OnEpochEnd(ToEpochMetrics(e));

    public static EpochMetrics ToEpochMetrics(FineTuneEpoch e) =>
        new(e.Epoch + 1, e.TrainLoss, double.NaN, e.ValLoss, e.ValAccuracy, e.Improved, TimeSpan.FromSeconds(e.Seconds));
}
