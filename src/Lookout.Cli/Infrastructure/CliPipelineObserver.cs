using Lookout.Core.Pipelines;
using Lookout.Core.Training;

namespace Lookout.Cli.Infrastructure;

/// <summary>
/// Draws a pipeline's events: scanned files, embeddings and epochs as progress bars (or a few plain lines, see
/// <see cref="ProgressSink"/>), messages as notes and warnings as warnings on stderr. <paramref name="label"/> prefixes
/// everything but the scan (the demo trains twice). Without a sink only the lines are shown.
/// </summary>
public sealed class CliPipelineObserver(CliOutput output, ProgressSink? progress, string label = "") : IPipelineObserver
{
    private readonly string _prefix = label.Length > 0 ? label + ": " : "";

    public void OnMessage(PipelinePhase phase, string message) => output.Note(_prefix + message);

    public void OnWarning(PipelinePhase phase, string message) => output.Warn(_prefix + message);

    public void OnProgress(PhaseProgress p)
    {
        switch (p.Phase, p.Unit)
        {
            case (PipelinePhase.Scan, PhaseProgress.Files): progress?.Report("files scanned", p.Done, p.Total, "files"); break;
            case (PipelinePhase.Scan, PhaseProgress.Frames): progress?.Report("video frames extracted", p.Done, p.Total); break;
            case (PipelinePhase.Embed, PhaseProgress.Images): progress?.Report(_prefix + "embeddings", p.Done, p.Total, "img"); break;
            case (PipelinePhase.Evaluate, Lookout.Core.Pipelines.Evaluate.EvalPipeline.RobustnessLevels): progress?.Report("robustness", p.Done, p.Total, "levels"); break;
        }
    }

    public void OnEpoch(PipelinePhase phase, EpochMetrics m, int maxEpochs) =>
        progress?.Report(_prefix + "epochs", m.Epoch, maxEpochs, detail: $"val loss {m.ValLoss:0.000} acc {m.ValAccuracy:P1}");
}
