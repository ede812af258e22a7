using Lookout.Core.Imaging;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Runs;
using Lookout.Core.Evaluation.Issues;
using Lookout.Core.Evaluation;
using Lookout.Core.Evaluation.Walkthroughs;

namespace Lookout.Core.Pipelines.Report;

/// <summary>An encoded image for the report with its caption; <see cref="Flagged"/> marks a wrong answer.</summary>
/// <see cref="DisplayWidth"/> shows the image at that CSS width with hard pixel edges (small model inputs stay legible).
public sealed record ReportImage(string Mime, byte[] Data, string Caption, string? Detail = null, bool Flagged = false, int? DisplayWidth = null);

/// <summary>Usable images of one label per split.</summary>
public sealed record LabelRow(string Label, int Train, int Val, int Test);

/// <summary>A few images of one label with what the model answered.</summary>
public sealed record SpotCheck(string Label, IReadOnlyList<ReportImage> Images);

/// <summary>One image as stored and as the model sees it (input size, resize policy applied).</summary>
public sealed record PreprocessPair(ReportImage Original, ReportImage ModelInput);

/// <summary>
/// Everything the HTML run report shows, gathered once (I/O, model runs, plots) by <see cref="RunReportCollector"/>;
/// <see cref="HtmlReportRenderer"/> only formats it. <see cref="Notes"/> says which sections are missing and why.
/// </summary>
public sealed record RunReportData(
    string RunId,
    DateTimeOffset Generated,
    RunManifest? Manifest,
    string? OptionsJson,
    bool DataChangedSinceRun,
    IReadOnlyList<LabelRow> Dataset,
    EvaluationReport? Test,
    byte[]? ConfusionPng,
    byte[]? LossPng,
    byte[]? AccuracyPng,
    int Epochs,
    int BestEpoch,
    IReadOnlyList<ReportImage> TopLosses,
    IReadOnlyList<SpotCheck> SpotChecks,
    PreprocessSpec? Spec,
    IReadOnlyList<PreprocessPair> Preprocess,
    DataIssuesReport? Issues,
    IReadOnlyList<ReportImage> SuspectImages,
    IReadOnlyList<ReportImage> GradCams,
    RejectionThresholds? Thresholds,
    IReadOnlyList<string> Notes)
{
    /// <summary>The run's scores on the workspace's walk-through videos (from <c>eval</c>'s walkthroughs.json).</summary>
    public IReadOnlyList<WalkthroughResult> Walkthroughs { get; init; } = [];

    /// <summary>The run's robustness evaluation (<c>lookout eval --robustness</c>), when one was made.</summary>
    public Evaluation.Robustness.RobustnessReport? Robustness { get; init; }
    public byte[]? RobustnessPng { get; init; }
}
