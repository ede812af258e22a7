using System.Diagnostics;
using Lookout.Core.IO;

namespace Lookout.Bench;

/// <summary>
/// The cost of the safe walk (readdir + statx per entry + realpath per link, in <see cref="FileWalker"/>) against
/// .NET's Directory.EnumerateFiles over the same tree, in the same run, interleaved, median of N. The safe walk does
/// more work per entry (it must learn each entry's type without opening it); this shows how much that costs.
/// </summary>
public static class WalkBench
{
    public static void Run() => Compare(folders: 200, filesPerFolder: 100, iterations: 9, Console.Out);

    public static void Compare(int folders, int filesPerFolder, int iterations, TextWriter output)
    {
        var root = Directory.CreateTempSubdirectory("lookout-walk-bench").FullName;
        try
        {
            for (int d = 0; d < folders; d++)
            {
                var dir = Path.Combine(root, $"label{d % 10}", $"batch{d:000}");
                Directory.CreateDirectory(dir);
                for (int f = 0; f < filesPerFolder; f++) File.WriteAllBytes(Path.Combine(dir, $"img{f:0000}.jpg"), []);
            }
            int n = folders * filesPerFolder;
            var safe = new List<double>();
            var plain = new List<double>();
            int safeCount = 0, plainCount = 0;
            for (int i = 0; i < iterations; i++)
            {
                var sw = Stopwatch.StartNew();
                safeCount = FileWalker.Walk(root).Files.Count;
                safe.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                plainCount = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Count();
                plain.Add(sw.Elapsed.TotalMilliseconds);
            }
            if (safeCount != n || plainCount != n) throw new InvalidOperationException($"walks disagree: {safeCount} vs {plainCount} of {n}");
            double s = Median(safe), p = Median(plain);
            output.WriteLine($"walk: {n} files in {folders} folders, median of {iterations}: safe walk {s:0.0} ms ({1000 * s / n:0.00} us/file), " +
                             $"Directory.EnumerateFiles {p:0.0} ms; ratio {s / p:0.00}x");
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static double Median(List<double> v) { var o = v.Order().ToList(); return o[o.Count / 2]; }
}
