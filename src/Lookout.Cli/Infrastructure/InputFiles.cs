using Lookout.Core;
using Lookout.Core.Inference;

namespace Lookout.Cli.Infrastructure;

/// <summary>Expands CLI inputs (files, folders, simple globs) into image paths, in a stable order.</summary>
public static class InputFiles
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> inputs)
    {
        var result = new List<string>();
        foreach (var input in inputs)
        {
            if (File.Exists(input)) result.Add(Path.GetFullPath(input));
            else if (Directory.Exists(input)) result.AddRange(ClassifierModel.ImageFiles(input));
            else if (input.IndexOfAny(['*', '?']) >= 0)
            {
                var dir = Path.GetDirectoryName(input) is { Length: > 0 } d ? d : ".";
                if (!Directory.Exists(dir)) throw new LookoutException($"folder not found: {dir}");
                result.AddRange(Directory.EnumerateFiles(dir, Path.GetFileName(input)).Select(Path.GetFullPath).Order(StringComparer.Ordinal));
            }
            else throw new LookoutException($"not found: {input}");
        }
        return result.Distinct().ToList();
    }
}
