using Lookout.Core.Export;
using Lookout.Core.Models.Heads;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Training;
using NetVips;

namespace Lookout.Bench;

/// <summary>What several benches need: a real-size exported classifier, photo-like JPEGs, the repo's built programs.</summary>
public static class BenchAssets
{
    /// <summary>
    /// The default catalog backbone (a real, pretrained network) with a random head, exported as Lookout exports any
    /// model. Falls back to the small generated backbone, and says so, when the pretrained models were not fetched.
    /// </summary>
    /// <param name="catalogBackbone">A catalog backbone's name; null = the default one.</param>
    public static string Classifier(string dir, string[] labels, out string backboneName, string? catalogBackbone = null)
    {
        string backbonePath;
        var entry = catalogBackbone is null ? KnownModels.DefaultBackbone
            : KnownModels.All.FirstOrDefault(e => e.Name == catalogBackbone) ?? throw new ArgumentException($"unknown catalog backbone '{catalogBackbone}'");
        try
        {
            backbonePath = ModelCatalog.Default().GetPath(entry.Name);
            backboneName = entry.Name;
        }
        catch (FileNotFoundException)
        {
            backbonePath = GeneratedBackbone.Write(Path.Combine(dir, "generated.onnx")).OnnxPath;
            backboneName = "generated backbone (pretrained models not fetched: NOT a real backbone)";
        }
        var backbone = Backbone.FromOnnx(backbonePath);
        var rng = new Random(1);
        int d = backbone.EmbeddingDim, c = labels.Length;
        var weights = Enumerable.Range(0, c * d).Select(_ => (float)(rng.NextDouble() - 0.5) * 0.1f).ToArray();
        var head = new HeadWeights(labels, new float[d], Enumerable.Repeat(1f, d).ToArray(), [new DenseLayer(d, c, weights, new float[c])]);
        var path = Path.Combine(dir, "bench-classifier.onnx");
        ExportService.Export(backbone, head, "bench", path);
        return path;
    }

    /// <summary>
    /// A camera-like JPEG: gradients and a wave (different per seed) plus Gaussian sensor noise, quality 90.
    /// At 4000x3000 this is a ~4 MB 12-MP photo whose entropy decode costs what a real one does.
    /// </summary>
    public static byte[] PhotoLikeJpeg(int width, int height, int seed, double noiseSigma = 8)
    {
        using var xy = Image.Xyz(width, height);
        using var x = xy[0];
        using var y = xy[1];
        using var r = x * (255.0 / width);
        using var g = y * (255.0 / height);
        using var sum = x * (1 + seed % 5 * 0.2) + y;
        using var wave = (sum * (0.004 + seed % 7 * 0.002)).Math(Enums.OperationMath.Sin);
        using var b = wave * 100 + 128;
        using var rgb = r.Bandjoin(g, b);
        using var noise = Image.Gaussnoise(width, height, sigma: noiseSigma, mean: 0, seed: seed);
        using var noisy = rgb + noise;
        using var bytes = noisy.Cast(Enums.BandFormat.Uchar);
        using var srgb = bytes.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.JpegsaveBuffer(q: 90);
    }

    /// <summary>
    /// A folder of <paramref name="count"/> 12-MP JPEGs in the temp folder, reused by later runs (making them costs
    /// about a CPU-second each); a marker file says the set is complete.
    /// </summary>
    public static string TwelveMegapixelFolder(int count)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lookout-bench-12mp-{count}");
        var marker = Path.Combine(dir, ".complete");
        if (File.Exists(marker)) return dir;
        Directory.CreateDirectory(dir);
        Parallel.For(0, count, i => File.WriteAllBytes(Path.Combine(dir, $"photo{i:0000}.jpg"), PhotoLikeJpeg(4000, 3000, seed: i + 1)));
        File.WriteAllText(marker, "");
        return dir;
    }

    /// <summary>The repository root (the folder holding Lookout.slnx), found upwards from the bench binary.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Lookout.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("Lookout.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The built CLI (<c>lookout.dll</c>), as <c>./lookout</c> runs it.</summary>
    public static string CliDll() =>
        Path.Combine(RepoRoot(), "src/Lookout.Cli/bin/Release/net10.0/linux-x64/lookout.dll") is var p && File.Exists(p)
            ? p : throw new FileNotFoundException("Build the CLI first: dotnet build src/Lookout.Cli -c Release", p);

    /// <summary>The environment <c>./lookout</c> gives the CLI (tcmalloc, the model cache).</summary>
    public static Dictionary<string, string> CliEnvironment() => new()
    {
        ["LD_PRELOAD"] = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
        ["LOOKOUT_CACHE"] = Environment.GetEnvironmentVariable("LOOKOUT_CACHE") ?? Path.Combine(RepoRoot(), ".cache"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary>The ML.NET peer program, built on first use (its own project: ML.NET pins its own SkiaSharp).</summary>
    public static string MlNetPeerDll()
    {
        var project = Path.Combine(RepoRoot(), "bench/Lookout.Bench.MlNet");
        var dll = Path.Combine(project, "bin/Release/net10.0/linux-x64/Lookout.Bench.MlNet.dll");
        if (!File.Exists(dll))
        {
            var build = ChildProcessMeter.Run("build ML.NET peer", "dotnet", ["build", project, "-c", "Release", "-v", "quiet", "-nologo"]);
            if (build.ExitCode != 0 || !File.Exists(dll)) throw new InvalidOperationException("building the ML.NET peer failed:\n" + build.StdOut + build.StdErr);
        }
        return dll;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return double.NaN;
        int mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The 1-minute load average, printed beside wall-clock numbers on a shared machine.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
