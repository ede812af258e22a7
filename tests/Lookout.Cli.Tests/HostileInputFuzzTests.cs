using System.Text.Json;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using Lookout.Server;
using Lookout.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Lookout.Cli.Tests;

/// <summary>
/// The fuzz test of the hostile-input report: a generated corpus of good files, the report's crafted files and seeded
/// mutations of good PNG/JPEG/WebP/GIF/BMP files goes through <c>data scan</c> and <c>classify</c> (CLI processes)
/// and every upload route of the server (in-process). Nothing crashes, answers 500 or hangs; every good image is
/// answered; every path gives every file the same verdict; memory stays bounded.
/// </summary>
public sealed class HostileInputFuzzTests : IDisposable
{
    private const string Model = "fuzz";
    // Generous bounds: a hang guard and a leak guard, not performance claims (the old decoder took minutes and
    // +1 to +3 GB on the 1-pixel-wide PNGs of this corpus).
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(60);
    private const long MaxServerGrowth = 400L << 20, MaxCliPeak = 800L << 20;

    private readonly string _root = Directory.CreateTempSubdirectory("lookout-fuzz-").FullName;
    private string Corpus => Path.Combine(_root, "corpus");
    private string ModelsDir => Path.Combine(_root, "models");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A real exported-model-shaped classifier (mean colour), with the default 224 px centre-crop spec.</summary>
    private string WriteModel()
    {
        Directory.CreateDirectory(ModelsDir);
        var onnx = MeanColourClassifier.Build(["red", "green", "blue"], new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0]);
        var path = Path.Combine(ModelsDir, Model + ".onnx");
        File.WriteAllBytes(path, OnnxWriter.Serialize(onnx));
        return path;
    }

    [Fact]
    public async Task Corpus_GetsTheSameVerdictEverywhere_WithoutCrashHangOrRunawayMemory()
    {
        var files = HostileImages.Corpus(seed: 20261202, mutationsPerFormat: 6);
        var items = Path.Combine(Corpus, "items");
        Directory.CreateDirectory(items);
        foreach (var f in files) File.WriteAllBytes(Path.Combine(items, f.Name), f.Bytes);
        var model = WriteModel();
        var cliTimeout = TimeSpan.FromSeconds(60 + 2 * files.Count);

        // data scan: the catalog's problems are the files it refused.
        var scan = await CliRunner.RunAsync(_root, ["data", "scan", Corpus, "--json", "--quiet", "--workspace", Path.Combine(_root, "ws")], cliTimeout);
        Assert.True(scan.ExitCode == 0, scan.StdErr);
        var scanRefused = JsonDocument.Parse(scan.StdOut).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => Path.GetFileName(p.GetProperty("path").GetString()!)).ToHashSet();

        // classify: one answer per file, errors per item, exit 3 ("some items failed").
        var classify = await CliRunner.RunAsync(_root, ["classify", model, items, "--json", "--quiet"], cliTimeout);
        Assert.True(classify.ExitCode == 3, $"exit {classify.ExitCode}: {classify.StdErr}");
        var cliAnswered = JsonDocument.Parse(classify.StdOut).RootElement.EnumerateArray()
            .ToDictionary(r => Path.GetFileName(r.GetProperty("file").GetString()!), r => !r.TryGetProperty("error", out var e) || e.ValueKind == JsonValueKind.Null);
        Assert.Equal(files.Count, cliAnswered.Count);

        var routes = await PostToEveryRouteAsync(files);

        foreach (var f in files)
        {
            var verdicts = new List<(string Path, bool Answered)>
            {
                ("data scan", !scanRefused.Contains(f.Name)),
                ("classify", cliAnswered[f.Name]),
            };
            verdicts.AddRange(routes[f.Name].Select(a => (a.Route, a.Answered)));
            if (f.Good) Assert.True(verdicts.All(v => v.Answered), $"good file {f.Name} not answered by {string.Join(", ", verdicts.Where(v => !v.Answered).Select(v => v.Path))}");
            Assert.True(verdicts.Select(v => v.Answered).Distinct().Count() == 1,
                $"{f.Name}: " + string.Join(", ", verdicts.Select(v => $"{v.Path}={(v.Answered ? "answered" : "refused")}")));
        }
        // Every crafted row of the report is refused; mutants are merely consistent (a flipped JPEG bit may decode).
        foreach (var name in new[] { "bmp-height-intmin.bmp", "bmp-header-0x7ffffff5.bmp", "png-first-100-bytes.png", "jpg-first-300-bytes.jpg" })
            Assert.False(cliAnswered[name], name);
        Assert.True(classify.PeakRssBytes < MaxCliPeak, $"classify peaked at {classify.PeakRssBytes >> 20} MB");
        Assert.True(scan.PeakRssBytes < MaxCliPeak, $"data scan peaked at {scan.PeakRssBytes >> 20} MB");
    }

    [Fact]
    public async Task Classify_FolderWithCraftedBmps_ReportsThemPerItem_AndExitsWith3()
    {
        var folder = Path.Combine(_root, "batch");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "a-good.png"), HostileImages.Good("png"));
        File.WriteAllBytes(Path.Combine(folder, "b-height-intmin.bmp"), HostileImages.BmpHeightIntMin());
        File.WriteAllBytes(Path.Combine(folder, "c-header-size.bmp"), HostileImages.BmpHugeHeaderSize());
        File.WriteAllBytes(Path.Combine(folder, "d-good.bmp"), HostileImages.Good("bmp"));
        var model = WriteModel();

        var r = await CliRunner.RunAsync(_root, ["classify", model, folder, "--json", "--quiet"]);
        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.StdErr}");
        var results = JsonDocument.Parse(r.StdOut).RootElement.EnumerateArray().ToList();
        Assert.Equal(["a-good.png", "b-height-intmin.bmp", "c-header-size.bmp", "d-good.bmp"], results.Select(x => Path.GetFileName(x.GetProperty("file").GetString())));
        Assert.Equal([true, false, false, true], results.Select(x => x.GetProperty("predictions").GetArrayLength() > 0));
        Assert.Contains("BMP size", results[1].GetProperty("error").GetString());
        Assert.Contains("BMP header", results[2].GetProperty("error").GetString());

        // Nothing answered: the run failed (1), still with one line per input.
        var none = await CliRunner.RunAsync(_root, ["classify", model, Path.Combine(folder, "b-height-intmin.bmp"), Path.Combine(folder, "c-header-size.bmp"), "--json", "--quiet"]);
        Assert.Equal(1, none.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(none.StdOut).RootElement.GetArrayLength());
        Assert.Equal(0, (await CliRunner.RunAsync(_root, ["classify", model, Path.Combine(folder, "d-good.bmp"), "--quiet"])).ExitCode);
    }

    /// <summary>Posts every file to every upload route of an in-process server, sampling this process's RSS meanwhile.</summary>
    private async Task<Dictionary<string, List<RouteAnswer>>> PostToEveryRouteAsync(IReadOnlyList<CorpusFile> files)
    {
        var options = new ServerOptions { ModelsDirectory = ModelsDir, Workspace = Path.Combine(_root, "server-ws") };
        await using var app = LookoutServer.BuildApp(options, configure: b => b.WebHost.UseTestServer());
        await app.StartAsync();
        using var client = app.GetTestClient();
        var routes = UploadRoutes.All(Model);

        // Warm up (models load on first use), then measure growth from there.
        var warm = files.First(f => f.Good);
        foreach (var route in routes) await UploadRoutes.PostAsync(client, route, warm.Bytes, warm.Name, CancellationToken.None);
        GC.Collect();
        long baseline = Environment.WorkingSet, peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
                await Task.Delay(20);
            }
        });

        var answers = new Dictionary<string, List<RouteAnswer>>();
        foreach (var f in files)
        {
            var perFile = answers[f.Name] = [];
            foreach (var route in routes)
            {
                using var timeout = new CancellationTokenSource(PerRequest);
                var answer = await UploadRoutes.PostAsync(client, route, f.Bytes, f.Name, timeout.Token);
                Assert.True(answer.Status < 500, $"{f.Name} on {route}: {answer.Status} {answer.Body}");
                perFile.Add(answer);
            }
        }
        stop.Cancel();
        await sampler;
        await app.StopAsync();
        Assert.True(peak - baseline < MaxServerGrowth, $"the server grew by {(peak - baseline) >> 20} MB");
        return answers;
    }
}
