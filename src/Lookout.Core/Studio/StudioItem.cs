using Lookout.Core.Datasets;

namespace Lookout.Core.Studio;

/// <summary>What the image grid shows about one photo or video frame. <see cref="Id"/> is the catalog row id.</summary>
public sealed record StudioItem(
    long Id, ItemKind Kind, string Sha256, string? Label, Split Split, string Name, string? Video, long? TimeMs,
    int Width, int Height, bool Excluded, MediaFacts? Media, Suggestion? Suggestion)
{
    /// <summary>Catalog path (relative to the data folder); never sent to clients, never taken from them.</summary>
    internal string Path { get; init; } = "";
}

/// <summary>Pixel facts measured on the decoded thumbnail: sharpness (variance of the Laplacian), contrast (grey std), dHash.</summary>
public sealed record MediaFacts(double Sharpness, double Contrast, ulong DHash, int ThumbWidth, int ThumbHeight)
{
    /// <summary>Under this grey standard deviation a picture is flat: a lens cap, a wall, a black frame.</summary>
    public const double EmptyContrast = 6;

    public bool IsEmpty => Contrast < EmptyContrast;
    public bool IsBlurry(double threshold) => Sharpness < threshold;
}

/// <summary>The current model's answer for an unlabelled item: best class, its score, the runner-up and the margin between them.</summary>
public sealed record Suggestion(string Run, string Label, double Score, string? Second, double Margin, bool Unknown);

/// <summary>Which items a grid shows.</summary>
public enum ItemView { All, Inbox, Class, Excluded }
