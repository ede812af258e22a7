using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Evaluation;

namespace Lookout.Bench;

/// <summary>
/// Lookout against the program a .NET developer would write with ML.NET 6.0.0 (bench/Lookout.MlNetPeer:
/// DnnFeaturizeImage(ResNet18) + SdcaMaximumEntropy), on the same folders: 60 Fashion-MNIST images per class in
/// <c>train/</c>, 40 per class in <c>test/</c>. Each side runs as its own process from a cold start (fresh Lookout
/// workspace: scan, embed, train, export, evaluate the exported file), interleaved round by round so machine load
/// hits both alike. Lookout validates on 15% of train/ and then refits its head on all of it; ML.NET trains on all.
/// Prints both accuracies with Wilson 95% intervals and the wall times.
/// Usage: mlnetpeer [--rounds 2] [--train 60] [--test 40] [--backbones nanodet-backbone,resnet18]
/// </summary>
public static class MlNetPeerBench
{
    public static async Task Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int rounds = int.Parse(Arg("--rounds", "2"), CultureInfo.InvariantCulture);
        int perClass = int.Parse(Arg("--train", "60"), CultureInfo.InvariantCulture), testPerClass = int.Parse(Arg("--test", "40"), CultureInfo.InvariantCulture);
        var backbones = Arg("--backbones", "nanodet-backbone,resnet18").Split(',');
        var repo = RepoRoot();
        var lookoutDll = Path.Combine(repo, "src/Lookout.Cli/bin/Release/net10.0/linux-x64/lookout.dll");
        var peerProject = Path.Combine(repo, "bench/Lookout.MlNetPeer");
        var peerDll = Path.Combine(peerProject, "bin/Release/net10.0/linux-x64/Lookout.MlNetPeer.dll");
        if (!File.Exists(lookoutDll)) throw new InvalidOperationException($"build the CLI first ({lookoutDll} is missing)");
        if (!File.Exists(peerDll))
        {
            Console.WriteLine("building bench/Lookout.MlNetPeer (once)...");
            var build = await Exec("dotnet", ["build", peerProject, "-c", "Release", "-v", "quiet", "-nologo"], repo);
            if (build.Exit != 0) throw new InvalidOperationException("ML.NET peer build failed:\n" + build.Out + build.Err);
        }

        var root = Directory.CreateTempSubdirectory("lookout-mlnet").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            await FashionMnistDemoBuilder.BuildAsync(Path.Combine(data, "train"), new FashionMnistDemoOptions { PerClass = perClass, IncludeVideos = false });
            await FashionMnistDemoBuilder.BuildAsync(Path.Combine(data, "test"), new FashionMnistDemoOptions { Set = "t10k", PerClass = testPerClass, IncludeVideos = false });
            Console.WriteLine($"folders: {data}/train ({perClass}/class), {data}/test ({testPerClass}/class); {rounds} interleaved rounds; load {FashionMnistSet.LoadAverage()}");
            var results = new Dictionary<string, List<(int Correct, int Count, double Seconds)>>();
            void Add(string name, (int, int, double) r) { if (!results.TryGetValue(name, out var l)) results[name] = l = []; l.Add(r); }
            for (int round = 1; round <= rounds; round++)
            {
                foreach (var bb in backbones)
                {
                    var ws = Path.Combine(root, $"ws-{bb}-{round}");
                    var sw = Stopwatch.StartNew();
                    var r = await Exec("dotnet", [lookoutDll, "train", data, "--backbone", bb, "--workspace", ws, "--json", "--quiet"], root);
                    double s = sw.Elapsed.TotalSeconds;
                    if (r.Exit != 0) throw new InvalidOperationException($"lookout train failed: {r.Err}");
                    var test = JsonDocument.Parse(r.Out).RootElement.GetProperty("test");
                    int count = test.GetProperty("count").GetInt32();
                    int correct = (int)Math.Round(test.GetProperty("accuracy").GetDouble() * count);
                    Add($"Lookout train ({bb}, head refit on all 600)", (correct, count, s));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: Lookout {bb}: {correct}/{count}, {s:0.0} s wall (load {FashionMnistSet.LoadAverage()})"));
                }
                var msw = Stopwatch.StartNew();
                var m = await Exec("dotnet", [peerDll, Path.Combine(data, "train"), Path.Combine(data, "test")], root);
                double ms = msw.Elapsed.TotalSeconds;
                if (m.Exit != 0) throw new InvalidOperationException($"ML.NET peer failed: {m.Err}");
                var mj = JsonDocument.Parse(m.Out.Trim().Split('\n')[^1]).RootElement;
                Add("ML.NET 6.0.0 DnnFeaturizeImage(ResNet18) + SdcaMaximumEntropy", (mj.GetProperty("correct").GetInt32(), mj.GetProperty("count").GetInt32(), ms));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: ML.NET: {mj.GetProperty("correct").GetInt32()}/{mj.GetProperty("count").GetInt32()}, {ms:0.0} s wall (load {FashionMnistSet.LoadAverage()})"));
            }
            Console.WriteLine();
            Console.WriteLine("| program | test accuracy (last round) | 95% CI | wall time per round (process start to evaluated model) |");
            Console.WriteLine("|---|---|---|---|");
            foreach (var (name, list) in results)
            {
                var last = list[^1];
                var ci = ReportBuilder.Wilson(last.Correct, last.Count);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {100.0 * last.Correct / last.Count:0.0}% ({last.Correct}/{last.Count}) | [{100 * ci.Low:0.0}%, {100 * ci.High:0.0}%] | {string.Join(", ", list.Select(l => l.Seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"))} |"));
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    internal static async Task<(int Exit, string Out, string Err)> Exec(string file, string[] args, string cwd)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await o, await e);
    }
}
