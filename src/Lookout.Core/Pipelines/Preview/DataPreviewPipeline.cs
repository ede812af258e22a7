using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Preview;
using Lookout.Core.Imaging;
using Lookout.Core.Imaging.Augmentation;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Pipelines.Steps;

namespace Lookout.Core.Pipelines.Preview;

/// <summary>Preview a folder as a backbone's input; the PNG goes to <see cref="OutPath"/> (default <c>&lt;workspace&gt;/preview.png</c>).</summary>
public sealed record DataPreviewRequest
{
    public required string DataDir { get; init; }
    public required Workspace Workspace { get; init; }
    /// <summary>The backbone whose input size and resize policy are used.</summary>
    public string Backbone { get; init; } = BackboneResolver.DefaultName;
    /// <summary>Also show augmented variants (the fine-tuning pipeline: crop, flip, tilt, colour, blur).</summary>
    public bool Augment { get; init; }
    public PreviewOptions Options { get; init; } = new();
    public string? OutPath { get; init; }
    public ScanOptions Scan { get; init; } = new();
}

public sealed record DataPreviewOutcome(string Path, PreviewResult Grid, bool Augmented);

/// <summary><c>data preview</c>: scan, then a PNG grid of exactly what the model will see, per label.</summary>
public static class DataPreviewPipeline
{
    public const int WarningsShown = 10;

    public static async Task<DataPreviewOutcome> RunAsync(DataPreviewRequest request, IPipelineObserver? observer = null, CancellationToken ct = default)
    {
        observer ??= NullPipelineObserver.Instance;
        var service = new DatasetService(request.Workspace);
        ScanStep.WarnProblems(await ScanStep.RunAsync(service, request.DataDir, request.Scan, observer, ct), observer);
        var items = ScanStep.UsableItems(service, request.DataDir);
        var spec = BackboneResolver.Resolve(request.Backbone).Spec;
        var augmentation = request.Augment ? AugmentationPipeline.Standard(spec.Width, spec.Height) : null;
        ct.ThrowIfCancellationRequested();
        var grid = PreviewGrid.Build(items, spec, augmentation, request.Options);
        var path = request.OutPath ?? System.IO.Path.Combine(request.Workspace.EnsureCreated().Root, "preview.png");
        AtomicFile.WriteAllBytes(path, ImageEncoding.Png(grid.Grid));
        foreach (var s in grid.Skipped.Take(WarningsShown)) observer.OnWarning(PipelinePhase.Render, $"skipped {s}");
        return new DataPreviewOutcome(path, grid, augmentation is not null);
    }
}
