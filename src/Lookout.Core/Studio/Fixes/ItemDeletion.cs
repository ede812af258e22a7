using Lookout.Core.Datasets;

namespace Lookout.Core.Studio.Fixes;

/// <summary>
/// Deleting a photo from a project: the file leaves the data folder for the workspace's <c>trash/</c> (named by its
/// content hash, so nothing a request says names a file) and its catalog row goes, in one transaction plus one move;
/// <see cref="RestoreAsync"/> puts it back where it was (the next scan catalogues it again with its folder's label).
/// A video frame has no file of its own: it is excluded with the reason "deleted" instead.
/// </summary>
public static class ItemDeletion
{
    public static string TrashDir(StudioProject project) => Path.Combine(project.Workspace.Root, "trash");

    public static Task<IReadOnlyList<FixChange>> DeleteAsync(StudioProject project, IReadOnlyCollection<long> ids, CancellationToken ct = default) =>
        project.Locked<IReadOnlyList<FixChange>>(() =>
        {
            using var catalog = project.OpenCatalog();
            var items = ItemQuery.ByIds(catalog, ids);
            var changes = new List<FixChange>();
            Directory.CreateDirectory(TrashDir(project));
            foreach (var item in items.Where(i => i.Kind == ItemKind.Image))
            {
                var source = Path.Combine(project.DataDir, item.Path);
                var trash = $"{item.Sha256}{Path.GetExtension(item.Path)}";
                var target = Path.Combine(TrashDir(project), trash);
                catalog.Write(_ => catalog.Exec("DELETE FROM items WHERE path=$p", ("$p", item.Path)));
                if (File.Exists(source)) { if (File.Exists(target)) File.Delete(source); else File.Move(source, target); }
                changes.Add(new FixChange(item.Id, item.Sha256, item.Label, item.Excluded, item.Path, trash));
            }
            return changes;
        }, ct);

    /// <summary>Moves deleted photos back to their folders (when the place is still free); returns how many came back.</summary>
    public static Task<int> RestoreAsync(StudioProject project, IReadOnlyList<FixChange> changes, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            int n = 0;
            foreach (var c in changes.Where(c => c.Path is not null && c.Trash is not null))
            {
                var from = Path.Combine(TrashDir(project), Path.GetFileName(c.Trash!));
                var to = Path.GetFullPath(Path.Combine(project.DataDir, c.Path!));
                if (!to.StartsWith(Path.GetFullPath(project.DataDir) + Path.DirectorySeparatorChar, StringComparison.Ordinal)) continue;
                if (!File.Exists(from) || File.Exists(to)) continue;
                Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                File.Move(from, to);
                n++;
            }
            return n;
        }, ct);
}
