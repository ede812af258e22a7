using Lookout.Core.IO;

namespace Lookout.Core.Datasets;

/// <summary>
/// Walks a data folder with the safe <see cref="FileWalker"/> policy (no FIFOs or devices opened, no links followed
/// out of or around the folder, unreadable folders and undecodable names reported), leaving out hidden entries, OS
/// clutter and the workspace.
/// </summary>
internal static class DataFolder
{
    public static FolderWalk Walk(string root, string workspaceRoot) =>
        FileWalker.Walk(root, new WalkOptions { Include = name => !MediaTypes.IsIgnored(name), ExcludeFolders = [workspaceRoot] });
}
