using System.IO.Enumeration;
using Lookout.Core;
using Lookout.Core.Inference;
using Lookout.Core.IO;

namespace Lookout.Cli.Infrastructure;

/// <summary>The files a command will read, and every named or matched entry it will not, with the reason (shown as an item error).</summary>
public sealed record InputSet(IReadOnlyList<string> Files, IReadOnlyList<ItemSkip> Skipped)
{
    public bool IsEmpty => Files.Count == 0 && Skipped.Count == 0;
}

/// <summary>An input that is not read: its path (undecodable bytes escaped) and why.</summary>
public sealed record ItemSkip(string Path, string Reason);

/// <summary>
/// Expands CLI inputs (files, folders, simple globs) into image paths, in a stable order. Folders and globs are
/// walked with <see cref="FileWalker"/>'s policy, so FIFOs and devices are never opened, links are not followed out
/// of or around the folder, and an unreadable sub-folder or an undecodable name is reported instead of aborting.
/// </summary>
public static class InputFiles
{
    public static InputSet Expand(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        var skipped = new List<ItemSkip>();
        void Add(FolderWalk walk)
        {
            files.AddRange(walk.Files.Select(f => f.FullPath));
            skipped.AddRange(walk.Skipped.Select(s => new ItemSkip(Path.Join(walk.Root, s.RelativePath), s.Reason)));
        }
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                // A file named on the command line is read even through a link, but a FIFO or device never.
                var full = Path.GetFullPath(input);
                if (FileWalker.ProblemWithFile(full) is { } problem) skipped.Add(new ItemSkip(full, problem));
                else files.Add(full);
            }
            else if (Directory.Exists(input)) Add(ClassifierModel.ImageFileWalk(input));
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                if (!Directory.Exists(dir)) throw new LookoutException($"folder not found: {dir}");
                var pattern = Path.GetFileName(input);
                Add(FileWalker.Walk(dir, new WalkOptions
                {
                    Recursive = false, SkipHidden = !pattern.StartsWith('.'),
                    Include = name => FileSystemName.MatchesSimpleExpression(pattern, name, ignoreCase: false),
                }));
            }
            else if (input.Contains('\uFFFD', StringComparison.Ordinal))
                throw new LookoutException($"not found: {input} (the name is not valid UTF-8 here; rename the file or give its folder)");
            else throw new LookoutException($"not found: {input}");
        }
        return new InputSet(files.Distinct().ToList(), skipped.DistinctBy(s => s.Path).ToList());
    }
}
