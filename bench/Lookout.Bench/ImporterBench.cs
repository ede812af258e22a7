using System.Diagnostics;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Lookout.Bench;

/// <summary>
/// TF.js -> ONNX conversion time and ONNX Runtime embedding throughput of the catalog backbones at their input size,
/// batch 32, on uint8 images (normalisation in-graph). Ratios are against the first backbone in the same run.
/// </summary>
public static class ImporterBench
{
    private const int Batch = 32;
    private const int Runs = 8;

    public static void Run()
    {
        var catalog = ModelCatalog.Default();
        var backbones = ModelCatalog.Entries.Where(e => e.Task == ModelTask.Backbone).ToList();
        double? baseline = null;
        foreach (var entry in backbones)
        {
            var convert = Enumerable.Range(0, 3).Select(_ =>
            {
                var sw = Stopwatch.StartNew();
                var bytes = OnnxWriter.Serialize(catalog.Build(entry.Name));
                return (sw.Elapsed.TotalMilliseconds, bytes);
            }).ToList();
            var bytes = convert[^1].bytes;
            double convertMs = convert.Select(c => c.TotalMilliseconds).Order().ElementAt(1);

            using var session = new InferenceSession(bytes);
            int size = entry.InputSize;
            var pixels = new byte[Batch * size * size * 3];
            new Random(1).NextBytes(pixels);
            var input = new DenseTensor<byte>(pixels, [Batch, size, size, 3]);
            var feeds = new[] { NamedOnnxValue.CreateFromTensor("image", input) };
            for (int i = 0; i < 2; i++) using (session.Run(feeds)) { } // warm-up
            var times = new List<double>();
            for (int i = 0; i < Runs; i++)
            {
                var sw = Stopwatch.StartNew();
                using (session.Run(feeds)) { }
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            double median = times.Order().ElementAt(times.Count / 2);
            baseline ??= median;
            Console.WriteLine($"{entry.Name,-20} {size}px dim {entry.EmbeddingSize,4}  convert {convertMs,6:F0} ms ({bytes.Length / 1e6:F1} MB)  " +
                $"batch {Batch}: {median,7:F1} ms median  {Batch * 1000 / median,6:F1} img/s  cost x{median / baseline.Value:F2} vs {backbones[0].Name}  licence {entry.Licence.Name}");
        }
    }
}
