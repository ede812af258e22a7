using Lookout.Core.Training.FineTuning;
using Lookout.Core.Training;

namespace Lookout.Core.Runs;

/// <summary>
/// Sends training curves to a TensorBoard event file in the run folder (<c>events.out.tfevents.*</c>), for both the
/// frozen-embedding head trainer and fine-tuning. Tags: loss/train, loss/val, accuracy/train, accuracy/val,
/// lr/backbone, lr/head, loss/batch (per optimizer step). A resumed run appends to the same file.
/// </summary>
public sealed class TensorBoardObserver(string runDirectory) : ITrainingObserver, IFineTuneObserver, IDisposable
{
    private readonly TfEventsWriter _writer = new(runDirectory);

    public string FilePath => _writer.FilePath;

    public void OnEpochEnd(EpochMetrics m)
    {
        Scalar("loss/train", m.TrainLoss, m.Epoch);
        Scalar("accuracy/train", m.TrainAccuracy, m.Epoch);
        Scalar("loss/val", m.ValLoss, m.Epoch);
        Scalar("accuracy/val", m.ValAccuracy, m.Epoch);
    }

    public void OnBatch(int epoch, long step, double loss) => Scalar("loss/batch", loss, step);

    /// <summary>Fine-tuning epochs count from 0 inside the trainer; curves number them from 1 like head training.</summary>
    public void OnEpochEnd(FineTuneEpoch e)
    {
        int epoch = e.Epoch + 1;
        Scalar("loss/train", e.TrainLoss, epoch);
        Scalar("loss/val", e.ValLoss, epoch);
        Scalar("accuracy/val", e.ValAccuracy, epoch);
        Scalar("lr/backbone", e.BackboneLearningRate, epoch);
        Scalar("lr/head", e.HeadLearningRate, epoch);
    }

    // NaN marks "no validation set": leave the curve out rather than plot a hole.
    private void Scalar(string tag, double value, long step)
    {
        if (!double.IsNaN(value)) _writer.AddScalar(tag, (float)value, step);
    }

    public void Dispose() => _writer.Dispose();
}
