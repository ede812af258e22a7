using System.Diagnostics;
using Lookout.Core.Datasets;
using Lookout.Core.Evaluation;
using Lookout.Core.Inference;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Runs;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Xunit.Abstractions;
using Lookout.Core.Embeddings;
using Lookout.Core.Pipelines;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Core.Tests.EndToEnd;

public class TrainEvalClassifyTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-e2e-").FullName;
    private readonly ShapesDataset _data = new(perClass: 40);

    [Fact]
    public async Task ShapesDataset_TrainsExportsEvaluates_AndClassifyMatchesEval()
    {
        var clock = Stopwatch.StartNew();
        var backbone = GeneratedBackbone.EnsureIn(Path.Combine(_work, "models"));
        using var cache = new EmbeddingCache(Path.Combine(_work, "cache", "embeddings.db"));
        var store = new RunStore(Path.Combine(_work, "runs"));
        var run = store.Create();
        var epochs = new List<EpochMetrics>();
        var result = await new TrainingService(cache).RunAsync(new TrainOptions(), _data.Items, backbone, run, new EpochRecorder(epochs));
        output.WriteLine($"train+export+eval {clock.Elapsed.TotalSeconds:0.0}s, embed {result.EmbeddingImagesPerSecond:0} img/s, best epoch {result.Fit.BestEpoch}/{result.Fit.Epochs.Count}");

        // Run folder contract.
        Assert.Equal("train1", run.Id);
        foreach (var f in new[] { run.OptionsPath, run.ManifestPath, run.MetricsPath, run.ModelPath, run.EvalJsonPath, run.EvalMarkdownPath, run.LogPath })
            Assert.True(File.Exists(f), f);
        Assert.Equal(epochs.Count + 1, File.ReadAllLines(run.MetricsPath).Length);
        var manifest = run.ReadJson<RunManifest>(run.ManifestPath)!;
        Assert.Equal(RunManifest.HashDataset(_data.Items), manifest.DatasetHash);
        Assert.Equal(backbone.Id, manifest.Backbone);
        Assert.Equal(96, manifest.Splits["train"].Count);
        var listed = Assert.Single(store.List());
        Assert.Equal("train1", listed.Id);
        Assert.True(listed.HasModel);
        Assert.Equal(epochs.Count, listed.Epochs);
        Assert.Equal(result.BestEpoch.ValAccuracy, listed.BestValAccuracy!.Value, 5);
        Assert.Equal(epochs.Select(e => e.TrainLoss), MetricsTsvWriter.Read(run.MetricsPath).Select(e => e.TrainLoss), (a, b) => Math.Abs(a - b) < 1e-6);

        // Held-out accuracy far above chance (0.25) on the exported model.
        var report = result.Test!;
        output.WriteLine(ReportText.Table(report));
        Assert.Equal(32, report.Count);
        Assert.True(report.Accuracy >= 0.8, $"test accuracy {report.Accuracy:0.000}");
        Assert.Equal(report.Accuracy, listed.TestAccuracy);

        // Train/serve parity: classify (single image, bytes, files) gives exactly the probabilities eval saw.
        using var model = ClassifierModel.Load(run.ModelPath);
        Assert.Equal(ShapesDataset.Classes, model.Labels);
        var worst = report.TopLosses[0];
        var single = model.Classify(File.ReadAllBytes(worst.Path), top: 4);
        // Training evaluates the exported function on cached test embeddings: equal to the file's output within float rounding.
        Assert.Equal(worst.TrueProbability, single.Probabilities![model.Labels.ToList().IndexOf(worst.Label)], 5);
        Assert.Equal(worst.Predicted, single.Top!.Label);
        Assert.Equal(worst.Score, single.Top.Score, 5);

        var testItems = _data.Items.Where(i => i.Split == Split.Test).ToList();
        var fromFiles = new List<ClassifyResult>();
        await foreach (var r in model.ClassifyDirectoryAsync(_data.Root, top: 1)) fromFiles.Add(r);
        Assert.Equal(_data.Items.Count, fromFiles.Count);
        int correct = testItems.Count(t => fromFiles.Single(r => r.Source == t.Path).Top!.Label == t.Label);
        Assert.Equal(report.Correct, correct);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }

    private sealed class EpochRecorder(List<EpochMetrics> into) : IPipelineObserver
    {
        public void OnEpoch(PipelinePhase phase, EpochMetrics metrics, int maxEpochs) => into.Add(metrics);
    }
}
