using Lookout.Core.Models;
using Lookout.Core.Training;

namespace Lookout.Cli.Infrastructure;

/// <summary>Shows a training run's embedding and epoch progress as bars; stages and warnings as lines.</summary>
public sealed class TrainingProgressObserver(CliOutput output, ProgressSink progress, int maxEpochs, string label = "") : ITrainingObserver
{
    private readonly string _prefix = label.Length > 0 ? label + ": " : "";

    public void OnStage(string stage) => output.Note(_prefix + stage);

    public void OnEmbeddingProgress(BatchProgress p) => progress.Report(_prefix + "embeddings", p.Done, p.Total, "img");

    public void OnEpochEnd(EpochMetrics m) =>
        progress.Report(_prefix + "epochs", m.Epoch, maxEpochs, detail: $"val loss {m.ValLoss:0.000} acc {m.ValAccuracy:P1}");

    public void OnWarning(string message) => output.Warn(_prefix + message);
}
