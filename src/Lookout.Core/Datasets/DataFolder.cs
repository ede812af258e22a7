namespace Lookout.Core.Datasets;

/// <summary>Lists a data folder's files in a stable order, skipping hidden entries, OS clutter and the workspace.</summary>
internal static class DataFolder
{
    public static IReadOnlyList<(string Full, string Relative)> Files(string root, string workspaceRoot)
    {
        var result = new List<(string, string)>();
        var workspace = Path.GetFullPath(workspaceRoot).TrimEnd(Path.DirectorySeparatorChar);
        Walk(root);
        return result;

        void Walk(string dir)
        {
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
            {
                if (MediaTypes.IsIgnored(Path.GetFileName(file))) continue;
                result.Add((file, Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/')));
            }
            foreach (var sub in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
            {
                var info = new DirectoryInfo(sub);
                // Symlinked folders are skipped: they can form cycles and usually point at data counted elsewhere.
                if (info.Name.StartsWith('.') || info.LinkTarget is not null || string.Equals(sub, workspace, StringComparison.Ordinal)) continue;
                Walk(sub);
            }
        }
    }
}
