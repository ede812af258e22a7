using Lookout.Core.Datasets;

namespace Lookout.Core.Studio;

/// <summary>An item's state before a change, so the browser can undo it.</summary>
public sealed record LabelChange(long Id, string? Before, string? After, bool WasExcluded);

/// <summary>
/// Labelling and excluding. A photo (or a whole video) is MOVED into its class folder, <c>_unlabelled/</c> or
/// <c>_excluded/&lt;class&gt;/</c>, so the data folder alone says what it is (<c>lookout train</c> on it needs no studio);
/// a video frame, which has no file of its own in the data folder, is labelled in the catalog. Each call is one
/// catalog transaction plus atomic renames recorded in the move journal.
/// </summary>
public static class ItemLabels
{
    /// <param name="label">A class name, or null to send the items back to the inbox.</param>
    public static Task<IReadOnlyList<LabelChange>> AssignAsync(StudioProject project, IReadOnlyCollection<long> ids, string? label, CancellationToken ct = default) =>
        project.Locked<IReadOnlyList<LabelChange>>(() =>
        {
            if (label is not null && !BackgroundClass.Is(label)) // "none of these" is Lookout's own folder, made on first use
            {
                label = StudioNames.Check(label);
                if (!ProjectClasses.Exists(project, label)) throw new StudioException($"no class named '{label}'", StudioProblem.NotFound);
            }
            using var catalog = project.OpenCatalog();
            var items = ItemQuery.ByIds(catalog, ids);
            var changes = new List<LabelChange>();
            catalog.Write(_ =>
            {
                foreach (var item in items)
                {
                    changes.Add(new LabelChange(item.Id, item.Label, label, item.Excluded));
                    if (item.Kind == ItemKind.Frame) LabelFrame(catalog, item, label);
                    else MoveFile(project, catalog, item.Path, label is null ? FolderLayout.UnlabelledFolder : label, label);
                }
            });
            MoveJournal.Replay(catalog, project.DataDir);
            return changes;
        }, ct);

    /// <summary>Takes items out of training (or brings them back with <paramref name="excluded"/> false), keeping their label.</summary>
    public static Task<IReadOnlyList<LabelChange>> ExcludeAsync(StudioProject project, IReadOnlyCollection<long> ids, bool excluded, string? reason = null, CancellationToken ct = default) =>
        project.Locked<IReadOnlyList<LabelChange>>(() =>
        {
            using var catalog = project.OpenCatalog();
            var items = ItemQuery.ByIds(catalog, ids).Where(i => i.Excluded != excluded).ToList();
            var changes = new List<LabelChange>();
            catalog.Write(_ =>
            {
                foreach (var item in items)
                {
                    var label = item.Kind == ItemKind.Frame ? ExcludedFrameLabel(catalog, item) ?? item.Label : item.Label ?? LabelFromExcludedPath(item.Path);
                    changes.Add(new LabelChange(item.Id, label, label, item.Excluded));
                    if (item.Kind == ItemKind.Frame)
                    {
                        if (excluded)
                        {
                            catalog.Exec("INSERT OR REPLACE INTO studio_excluded_frames(path,label,reason) VALUES($p,$l,$r)", ("$p", item.Path), ("$l", item.Label), ("$r", reason));
                            catalog.Exec("UPDATE items SET label=NULL, label_manual=1 WHERE path=$p", ("$p", item.Path));
                        }
                        else
                        {
                            catalog.Exec("DELETE FROM studio_excluded_frames WHERE path=$p", ("$p", item.Path));
                            LabelFrame(catalog, item, label);
                        }
                    }
                    else
                    {
                        var folder = label ?? FolderLayout.UnlabelledFolder;
                        MoveFile(project, catalog, item.Path, excluded ? $"{FolderLayout.ExcludedFolder}/{folder}" : folder, excluded ? null : label);
                    }
                }
            });
            MoveJournal.Replay(catalog, project.DataDir);
            return changes;
        }, ct);

    private static string? ExcludedFrameLabel(Catalog catalog, StudioItem item)
    {
        using var cmd = Lookout.Core.IO.SqliteFile.Command(catalog.Connection, "SELECT label FROM studio_excluded_frames WHERE path=$p", ("$p", item.Path));
        return cmd.ExecuteScalar() as string;
    }

    /// <summary><c>_excluded/cat/x.jpg</c> was class cat; <c>_excluded/_unlabelled/x.jpg</c> had none.</summary>
    private static string? LabelFromExcludedPath(string path)
    {
        var parts = path.Split('/');
        return parts.Length >= 3 && parts[0] == FolderLayout.ExcludedFolder && !FolderLayout.IsUnlabelledFolder(parts[1]) ? parts[1] : null;
    }

    private static void LabelFrame(Catalog catalog, StudioItem item, string? label) =>
        catalog.Exec("UPDATE items SET label=$l, label_manual=1 WHERE path=$p", ("$l", label), ("$p", item.Path));

    /// <summary>
    /// Moves the file at <paramref name="path"/> (a photo or a video, with its frames) into <paramref name="folder"/>.
    /// The file keeps its name unless that name is taken there; then the content hash is appended.
    /// </summary>
    private static void MoveFile(StudioProject project, Catalog catalog, string path, string folder, string? label)
    {
        var row = catalog.Query("SELECT * FROM items WHERE path=$p", ("$p", path)).FirstOrDefault();
        if (row is null) return;
        var name = path[(path.LastIndexOf('/') + 1)..];
        var target = $"{folder}/{name}";
        if (target == path) { SetLabel(catalog, path, label); return; }
        if (Taken(project, catalog, target))
            target = $"{folder}/{Path.GetFileNameWithoutExtension(name)}-{row.Sha256?[..8]}{Path.GetExtension(name)}";
        if (Taken(project, catalog, target)) throw new StudioException("a file with the same name and content is already there", StudioProblem.Conflict);
        catalog.Exec("UPDATE items SET path=$t, source=$t, label=$l, label_manual=0 WHERE path=$p", ("$t", target), ("$l", label), ("$p", path));
        if (row.Kind == ItemKind.Video)
        {
            var prefix = path + "#";
            catalog.Exec("""
                UPDATE studio_excluded_frames SET path = $t || substr(path,length($p)+1) WHERE substr(path,1,length($pre))=$pre
                """, ("$t", target), ("$p", path), ("$pre", prefix));
            catalog.Exec("""
                UPDATE items SET path = $t || substr(path,length($p)+1), source=$t,
                  label = CASE WHEN label_manual=1 THEN label ELSE $l END
                WHERE kind='Frame' AND source=$p
                """, ("$t", target), ("$p", path), ("$l", label));
        }
        MoveJournal.Add(catalog, path, target);
        // A detection picture's box file travels with it, so excluding and restoring it keeps its boxes.
        var boxFile = Path.ChangeExtension(path, ".txt");
        if (row.Kind == ItemKind.Image && File.Exists(Path.Combine(project.DataDir, boxFile)))
            MoveJournal.Add(catalog, boxFile, Path.ChangeExtension(target, ".txt"));
    }

    private static void SetLabel(Catalog catalog, string path, string? label) =>
        catalog.Exec("UPDATE items SET label=$l, label_manual=0 WHERE path=$p", ("$l", label), ("$p", path));

    private static bool Taken(StudioProject project, Catalog catalog, string relative) =>
        File.Exists(Path.Combine(project.DataDir, relative)) || catalog.Query("SELECT * FROM items WHERE path=$p", ("$p", relative)).Count > 0;
}
