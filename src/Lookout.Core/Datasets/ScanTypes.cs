using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Datasets;

public enum FrameFormat { Png, Jpeg }

/// <summary>Options for <see cref="DatasetService.ScanAsync"/>; defaults in one place.</summary>
public sealed record ScanOptions
{
    /// <summary>Frames taken per second of video.</summary>
    public double FramesPerSecond { get; init; } = 1.0;
    /// <summary>dHash Hamming distance at or below which a frame counts as a repeat of the last kept one.</summary>
    public int DuplicateThreshold { get; init; } = NearDuplicateFilter.DefaultThreshold;
    public FrameFormat FrameFormat { get; init; } = FrameFormat.Png;
    /// <summary>Frames are downscaled so the longer side is at most this (models use far less); null keeps full size.</summary>
    public int? MaxFrameSide { get; init; } = 1280;
    public ImageLimits Limits { get; init; } = ImageLimits.Default;
    public FfmpegTools Tools { get; init; } = FfmpegTools.Default;

    public void Validate()
    {
        if (!double.IsFinite(FramesPerSecond) || FramesPerSecond <= 0 || FramesPerSecond > 120)
            throw new ArgumentOutOfRangeException(nameof(FramesPerSecond), FramesPerSecond, "frames per second must be in (0, 120]");
        if (DuplicateThreshold is < -1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(DuplicateThreshold), DuplicateThreshold, "use -1 (keep all) .. 64");
        if (MaxFrameSide is < 16)
            throw new ArgumentOutOfRangeException(nameof(MaxFrameSide), MaxFrameSide, "max frame side must be at least 16");
    }

    /// <summary>Identifies the frame-extraction settings; a video is re-extracted when they change.</summary>
    internal string FrameParameters =>
        FormattableString.Invariant($"fps={FramesPerSecond};dup={DuplicateThreshold};fmt={FrameFormat};side={MaxFrameSide}");
}

/// <summary>Progress of a scan, for progress bars: files looked at so far out of the total, frames written.</summary>
public sealed record ScanProgress(int FilesScanned, int FilesTotal, int FramesExtracted, string? CurrentPath);

/// <summary>A file that could not be used, with a short user-facing reason.</summary>
public sealed record ScanProblem(string Path, string Reason);

/// <summary>
/// What a scan did. Counts are over files in the data folder (frames are counted in <see cref="FramesExtracted"/>);
/// <see cref="Problems"/> lists every currently unusable file, not only the ones found this time.
/// </summary>
public sealed record ScanResult(
    int Added, int Updated, int Unchanged, int Unreadable, int Missing, int FramesExtracted,
    IReadOnlyList<ScanProblem> Problems, TimeSpan Elapsed);
