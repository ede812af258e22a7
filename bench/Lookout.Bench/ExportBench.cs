using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Export;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Heads;
using Lookout.Core.Models.Onnx;

namespace Lookout.Bench;

/// <summary>
/// Where the export of a trained head goes (a retrain's largest stage once embeddings are cached): reading the
/// backbone file, decoding it, building the graph, serialising and writing; against the byte-level splice
/// <see cref="ExportService.Export"/> uses, which copies the backbone's nodes and weights without decoding them.
/// Interleaved rounds, medians. Usage: bench export [--backbone nanodet-backbone] [--rounds 5]
/// </summary>
public static class ExportBench
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var backbone = BackboneResolver.Resolve(Arg("--backbone", "nanodet-backbone"));
        int rounds = int.Parse(Arg("--rounds", "5"), CultureInfo.InvariantCulture);
        var labels = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray();
        int d = backbone.EmbeddingDim;
        var rng = new Random(1);
        var head = new HeadWeights(labels, new float[d], Enumerable.Repeat(1f, d).ToArray(),
            [new DenseLayer(d, labels.Length, [.. Enumerable.Range(0, labels.Length * d).Select(_ => (float)rng.NextDouble() - 0.5f)], new float[labels.Length])]);
        var dir = Directory.CreateTempSubdirectory("lookout-exportbench").FullName;
        var stages = new Dictionary<string, List<double>>();
        void Add(string k, double s) { if (!stages.TryGetValue(k, out var l)) stages[k] = l = []; l.Add(s); }
        try
        {
            for (int r = 0; r < rounds + 1; r++)
            {
                var sw = Stopwatch.StartNew();
                var bytes = File.ReadAllBytes(backbone.OnnxPath); double read = sw.Elapsed.TotalSeconds; sw.Restart();
                var model = OnnxReader.Parse(bytes); double parse = sw.Elapsed.TotalSeconds; sw.Restart();
                var built = ExportService.Build(backbone, head, "bench"); double build = sw.Elapsed.TotalSeconds - 0; sw.Restart();
                var serialized = OnnxWriter.Serialize(built); double serialize = sw.Elapsed.TotalSeconds; sw.Restart();
                OnnxWriter.Save(built, Path.Combine(dir, "decoded.onnx")); double save = sw.Elapsed.TotalSeconds; sw.Restart();
                ExportService.Export(backbone, head, "bench", Path.Combine(dir, "spliced.onnx")); double splice = sw.Elapsed.TotalSeconds;
                GC.KeepAlive(model); GC.KeepAlive(serialized);
                if (r == 0) continue; // warm-up
                Add("read file", read); Add("decode (OnnxReader.Parse)", parse); Add("read+decode+build graph (Build)", build);
                Add("serialise", serialize); Add("serialise+write (Save)", save); Add("export by splice (Export)", splice);
            }
            Console.WriteLine($"backbone {backbone.Id}, {new FileInfo(backbone.OnnxPath).Length / 1e6:0.0} MB; load average {FashionMnistSet.LoadAverage()}");
            foreach (var (k, v) in stages)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {k,-34} median {Median(v) * 1000,7:0} ms"));
            double decoded = Median(stages["read+decode+build graph (Build)"]) + Median(stages["serialise+write (Save)"]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"decode-and-rebuild export {decoded * 1000:0} ms vs splice {Median(stages["export by splice (Export)"]) * 1000:0} ms: {decoded / Median(stages["export by splice (Export)"]):0.0}x"));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    private static double Median(List<double> v) { var s = v.Order().ToList(); return s[s.Count / 2]; }
}
