namespace Lookout.Core.Datasets;

/// <summary>
/// One row of the catalog. <see cref="Path"/> is the key: relative to the data folder ('/' separators); for a
/// frame it is <c>video-path#t=ms</c> and <see cref="File"/> is the frame file relative to the workspace.
/// <see cref="Source"/> is the video a frame came from, or the item's own path.
/// </summary>
public sealed record CatalogItem
{
    public required string Path { get; init; }
    public required ItemKind Kind { get; init; }
    public required ItemStatus Status { get; init; }
    public string? Reason { get; init; }
    public string? Sha256 { get; init; }
    public string? Label { get; init; }
    public bool LabelIsManual { get; init; }
    public Split Split { get; init; }
    public SplitOrigin SplitOrigin { get; init; }
    public required string Source { get; init; }
    public long? SourceTimeMs { get; init; }
    public string? File { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public long Bytes { get; init; }
    /// <summary>Last-write time (UTC ticks) and size seen at the last scan, for incremental rescans.</summary>
    public long MTime { get; init; }
    public long Size { get; init; }
    /// <summary>For videos: the frame settings the frames were extracted with.</summary>
    public string? FrameParameters { get; init; }

    /// <summary>Usable for training: a readable photo or frame with a label.</summary>
    public bool IsUsable => Status == ItemStatus.Ok && Kind is ItemKind.Image or ItemKind.Frame && Label is not null && Sha256 is not null;
}
