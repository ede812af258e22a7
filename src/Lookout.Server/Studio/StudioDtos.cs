using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;

namespace Lookout.Server.Studio;

// JSON shapes of the studio API (camelCase by the web defaults). No field carries a server path.

public sealed record ClassDto(string Name, int Items);

public sealed record ModelDto(string Run, IReadOnlyList<string> Labels);

/// <param name="Task">"classify" (one folder per class) or "detect" (boxes: classes.txt and a YOLO file beside each reviewed picture).</param>
/// <param name="DiskFreeBytes">Space left on the disk holding the project (null if unknown).</param>
/// <param name="DiskLow">True when that is low enough that uploads, videos and training may soon fail.</param>
public sealed record ProjectDto(string Name, IReadOnlyList<ClassDto> Classes, int Inbox, int Excluded, int Total,
    string Backbone, double BlurThreshold, ModelDto? Model, string Task, long? DiskFreeBytes = null, bool DiskLow = false);

/// <param name="Task">"classify" (default) or "detect".</param>
public sealed record CreateProjectRequest(string Name, string? Backbone, string? Task = null);

public sealed record ClassRequest(string Name);

public sealed record RenameRequest(string To);

public sealed record SuggestionDto(string Label, double Score, string? Second, double Margin, bool Unknown);

public sealed record RankDto(int Position, string Reason);

public sealed record ItemDto(long Id, string Kind, string Sha, string? Label, string Split, string Name, string? Video, long? TimeMs,
    int Width, int Height, bool Excluded, double? Sharpness, bool Blurry, bool Empty, SuggestionDto? Suggestion, RankDto? Rank)
{
    public static ItemDto Of(StudioItem i, double blurThreshold, RankDto? rank = null) => new(
        i.Id, i.Kind.ToString().ToLowerInvariant(), i.Sha256, i.Label, i.Split.ToString().ToLowerInvariant(), i.Name, i.Video, i.TimeMs,
        i.Width, i.Height, i.Excluded, i.Media is { } m ? Math.Round(m.Sharpness, 1) : null,
        i.Media?.IsBlurry(blurThreshold) == true, i.Media?.IsEmpty == true,
        i.Suggestion is { } s ? new SuggestionDto(s.Label, Math.Round(s.Score, 4), s.Second, Math.Round(s.Margin, 4), s.Unknown) : null, rank);
}

/// <summary>A view's items; <see cref="Total"/> is the view's size (larger than Items.Count when a limit was asked).</summary>
public sealed record ItemListDto(IReadOnlyList<ItemDto> Items, string Order, string? OrderReason, ModelDto? Model, int Total);

public sealed record IdsRequest(IReadOnlyList<long> Ids);

public sealed record LabelRequest(IReadOnlyList<long> Ids, string? Label);

public sealed record ExcludeRequest(IReadOnlyList<long> Ids, bool Excluded = true, string? Reason = null);

public sealed record LabelChangeDto(long Id, string? Before, string? After, bool WasExcluded)
{
    public static LabelChangeDto Of(LabelChange c) => new(c.Id, c.Before, c.After, c.WasExcluded);
}

public sealed record UploadDto(string Name, string Status, string? Reason, string? Sha, bool Video, IReadOnlyList<long> Ids, string? Label)
{
    public static UploadDto Of(UploadResult r) =>
        new(r.Name, r.Status.ToString().ToLowerInvariant(), r.Reason, r.Sha256, r.Video, r.Ids, r.Label);
}

/// <param name="Task">"detect" makes the project a detection project (its class folders become the first box classes).</param>
public sealed record SettingsRequest(double? BlurThreshold, string? Backbone, string? Task = null);

public sealed record LoginRequest(string Key);

public sealed record SessionDto(bool Required, bool LoggedIn);

public sealed record UrlImportRequest(IReadOnlyList<string> Urls, string? Label);

public sealed record UrlResultDto(string Url, string Status, string? Reason, IReadOnlyList<long> Ids);

public sealed record SuggestRunDto(string? Run, int Scored, string? Reason);

public sealed record ClusterDto(long Keep, IReadOnlyList<long> Members, string Reason);

public sealed record SegmentDto(long StartMs, long EndMs, string? Label);

public sealed record WalkthroughDto(long Id, string Name, long DurationMs, IReadOnlyList<SegmentDto> Segments)
{
    public static WalkthroughDto Of(Lookout.Core.Evaluation.Walkthroughs.Walkthrough w) =>
        new(w.Id, w.Name, w.DurationMs, w.Segments.Select(s => new SegmentDto(s.StartMs, s.EndMs, s.Label)).ToList());
}

public sealed record SegmentsRequest(IReadOnlyList<SegmentDto> Segments);

public sealed record FrameScoreDto(long TimeMs, string? Truth, bool Scored, string Predicted, string Smoothed, double Score);

public sealed record ClassScoreDto(string? Label, int Frames, double Accuracy, double Smoothed);

public sealed record WalkthroughEvalDto(string Run, int Frames, int Scored, double Accuracy, double SmoothedAccuracy, int PersistFrames,
    IReadOnlyList<ClassScoreDto> PerClass, IReadOnlyList<FrameScoreDto> Timeline);
