namespace Lookout.Core.Datasets;

/// <summary>Label and split a file gets from where it sits, or why it gets none.</summary>
public sealed record Placement(string? Label, Split Split, string? Problem)
{
    public bool IsValid => Problem is null;
}

/// <summary>
/// The folder conventions (ImageNet/Ultralytics classification style): <c>label/file</c>, or
/// <c>train|val|test/label/file</c> when the data folder has a <c>train</c> folder. Deeper folders belong to
/// the label folder they are in; a label folder whose name cannot be a label (<see cref="LabelNames"/>) gives its files
/// a problem instead. <see cref="Place"/> is pure: it works on relative paths only.
/// </summary>
public static class FolderLayout
{
    /// <summary>Top folder of items that have no label yet (the studio's inbox): cataloged, never trained on.</summary>
    public const string UnlabelledFolder = "_unlabelled";
    /// <summary>Top folder of items a person excluded from training, kept under <c>_excluded/&lt;label&gt;/</c> so they can come back.</summary>
    public const string ExcludedFolder = "_excluded";

    /// <summary>True for the top folders whose files are cataloged without a label (<see cref="UnlabelledFolder"/>, <see cref="ExcludedFolder"/>).</summary>
    public static bool IsUnlabelledFolder(string topFolder) =>
        topFolder.Equals(UnlabelledFolder, StringComparison.Ordinal) || topFolder.Equals(ExcludedFolder, StringComparison.Ordinal);

    public static bool HasSplitFolders(string dataDir) =>
        Directory.Exists(dataDir) && new DirectoryInfo(dataDir).EnumerateDirectories()
            .Any(d => d.LinkTarget is null && ParseSplit(d.Name) == Split.Train);     // a linked folder is not walked, so it does not count

    /// <summary>Maps a split folder name to a split: train, val/valid/validation, test.</summary>
    public static Split ParseSplit(string folder) => folder.ToLowerInvariant() switch
    {
        "train" => Split.Train,
        "val" or "valid" or "validation" => Split.Val,
        "test" => Split.Test,
        _ => Split.Unassigned,
    };

    /// <param name="relativePath">Path relative to the data folder, '/' or the OS separator.</param>
    /// <param name="splitFolders">True when the data folder uses train/val/test top folders.</param>
    public static Placement Place(string relativePath, bool splitFolders)
    {
        // Only '/' (and the OS separator): on Linux a backslash is part of a name, and such a label folder is refused.
        var parts = relativePath.Split(['/', Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 2 && IsUnlabelledFolder(parts[0])) return new Placement(null, Split.Unassigned, null);
        if (!splitFolders)
            return parts.Length >= 2 ? Labelled(parts[0], Split.Unassigned)
                : new Placement(null, Split.Unassigned, "not inside a label folder");
        var split = parts.Length > 0 ? ParseSplit(parts[0]) : Split.Unassigned;
        if (split == Split.Unassigned)
            return new Placement(null, Split.Unassigned, "outside the train/val/test folders");
        return parts.Length >= 3 ? Labelled(parts[1], split)
            : new Placement(null, split, $"not inside a label folder under {parts[0]}/");
    }

    private static Placement Labelled(string folder, Split split) =>
        LabelNames.Problem(folder) is { } problem
            ? new Placement(null, split, $"label folder refused: {problem}")
            : new Placement(folder, split, null);
}
