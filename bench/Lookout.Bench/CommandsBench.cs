using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Bench;

/// <summary>
/// The CLI as users run it, one child process per command, each measured from outside (wall, CPU, peak RSS from the
/// kernel's VmHWM): start-up alone (<c>lookout version</c>, <c>--help</c>), then on 1,000 Fashion-MNIST images
/// (100 per class, small PNGs) <c>train</c> cold (nothing cached), <c>train</c> again (every embedding cached),
/// <c>eval</c> and <c>classify</c> on the folder. Goals: train peaks ≤ 1 GB. Options: <c>--per-class N</c>,
/// <c>--rounds R</c> for the start-up commands (default 5).
/// </summary>
public static class CommandsBench
{
    public static async Task Run(string[] args)
    {
        int perClass = args.Contains("--per-class") ? int.Parse(args[Array.IndexOf(args, "--per-class") + 1]) : 100;
        int rounds = args.Contains("--rounds") ? int.Parse(args[Array.IndexOf(args, "--rounds") + 1]) : 5;
        var dir = Directory.CreateTempSubdirectory("lookout-commandsbench").FullName;
        try
        {
            var cli = BenchAssets.CliDll();
            var env = BenchAssets.CliEnvironment();
            Console.WriteLine($"commands: {Environment.ProcessorCount} cores, load average {BenchAssets.LoadAverage()}; each line one child process (wall, CPU, peak RSS)");

            var startup = new List<ChildRun>();
            for (int r = 0; r < rounds; r++)
            {
                startup.Add(ChildProcessMeter.Run("version", "dotnet", [cli, "version"], env));
                startup.Add(ChildProcessMeter.Run("--help", "dotnet", [cli, "--help"], env));
            }
            foreach (var g in startup.GroupBy(s => s.Name))
                Console.WriteLine($"  start-up: lookout {g.Key,-8} median of {rounds}: wall {BenchAssets.Median(g.Select(s => s.WallSeconds)) * 1000:0} ms, CPU {BenchAssets.Median(g.Select(s => s.CpuSeconds)) * 1000:0} ms, peak RSS {BenchAssets.Median(g.Select(s => s.PeakRssMb)):0} MB");

            var data = Path.Combine(dir, "fashion");
            var built = await FashionMnistDemoBuilder.BuildAsync(data, new FashionMnistDemoOptions { PerClass = perClass, IncludeVideos = false });
            Console.WriteLine($"  data: {built.Images} Fashion-MNIST PNGs (28x28) in {built.Labels.Count} folders");
            var workspace = Path.Combine(dir, "ws");
            foreach (var (name, arguments) in new (string, string[])[]
                     {
                         ("train (cold)", ["train", data, "--workspace", workspace, "--quiet"]),
                         ("train (cached)", ["train", data, "--workspace", workspace, "--quiet"]),
                         ("eval", ["eval", "train1", "--workspace", workspace, "--quiet"]),
                         ("classify folder", ["classify", Path.Combine(workspace, "runs", "train1", "model.onnx"), data, "--json"]),
                     })
            {
                var run = ChildProcessMeter.Run(name, "dotnet", [cli, .. arguments], env);
                Console.WriteLine($"  {name,-16} exit {run.ExitCode}  wall {run.WallSeconds,6:0.0} s  CPU {run.CpuSeconds,6:0.0} s  peak RSS {run.PeakRssMb,6:0} MB" +
                                  (name.StartsWith("train", StringComparison.Ordinal) ? (run.PeakRssMb <= 1024 ? "  (<= 1 GB)" : "  (ABOVE the 1 GB goal)") : "") +
                                  (run.ExitCode != 0 ? "  " + run.StdErr.Trim().Split('\n')[^1] : ""));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
