using Lookout.Core.Pipelines;
using Lookout.Core.Datasets;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Lookout.Core.Embeddings;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Core.Tests.Pipelines.Train;

public class TrainingServiceTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-train-").FullName;
    private readonly ShapesDataset _data = new(perClass: 12, size: 48, seed: 3);

    [Fact]
    public async Task BadImagesAreSkippedAndLogged_SecondRunComesFromCache()
    {
        var bad = Path.Combine(_work, "truncated.png");
        File.WriteAllBytes(bad, File.ReadAllBytes(_data.Items[0].Path)[..40]);
        var items = _data.Items.Append(new LabeledImage(bad, "deadbeef", ShapesDataset.Classes[0], Split.Train, "deadbeef")).ToList();
        var bb = GeneratedBackbone.EnsureIn(_work, size: 32);
        using var cache = new EmbeddingCache(Path.Combine(_work, "cache.db"));
        var service = new TrainingService(cache);
        var opts = new TrainOptions { Epochs = 5, EvaluateTest = false };

        var first = await service.RunAsync(opts, items, bb, Path.Combine(_work, "r1"));
        var skipped = Assert.Single(first.Skipped);
        Assert.Equal(bad, skipped.Path);
        Assert.Contains("truncated.png", File.ReadAllText(first.Run.LogPath));
        Assert.Null(first.Test);
        Assert.False(File.Exists(first.Run.EvalJsonPath));
        Assert.Equal("r1", first.Run.Id);
        Assert.Equal(0, first.EmbeddingsFromCache);

        var second = await service.RunAsync(opts, items, bb, Path.Combine(_work, "r2"));
        int trainVal = _data.Items.Count(i => i.Split != Split.Test);
        Assert.Equal(trainVal, second.EmbeddingsFromCache);
        Assert.Equal(first.Fit.Head.Layers[0].Weight, second.Fit.Head.Layers[0].Weight);
        Assert.Equal(File.ReadAllBytes(first.ModelPath).Length, File.ReadAllBytes(second.ModelPath).Length);
    }

    [Fact]
    public async Task RejectsSingleClass_AndHonoursCancellation()
    {
        var bb = GeneratedBackbone.EnsureIn(_work, size: 32);
        var oneClass = _data.Items.Where(i => i.Label == ShapesDataset.Classes[0]).ToList();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => new TrainingService().RunAsync(new TrainOptions(), oneClass, bb, Path.Combine(_work, "x")));
        Assert.Contains("at least 2 classes", e.Message);

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TrainingService().RunAsync(new TrainOptions(), _data.Items, bb, Path.Combine(_work, "y"), null, cts.Token));
    }

    [Fact]
    public async Task TrainOnlyData_HoldsOutValidationInMemory_ThenRefitsOnAllTrainingImages()
    {
        var trainOnly = _data.Items.Where(i => i.Split != Split.Test).Select(i => i with { Split = Split.Train }).ToList();
        var bb = GeneratedBackbone.EnsureIn(_work, size: 32);
        var stages = new List<string>();
        var result = await new TrainingService().RunAsync(new TrainOptions { Epochs = 8, EvaluateTest = false }, trainOnly, bb,
            Path.Combine(_work, "t"), new StageRecorder(stages));
        Assert.InRange(result.CarvedValidation, 4, trainOnly.Count / 3);
        var val = result.Run.ReadJson<Lookout.Core.Runs.RunManifest>(result.Run.ManifestPath)!.Splits["val"].Items;
        Assert.Equal(result.CarvedValidation, val.Count);
        foreach (var label in ShapesDataset.Classes)
            Assert.Contains(val, sha => trainOnly.Any(i => i.Label == label && i.Sha256 == sha));
        Assert.Equal(trainOnly.Count, result.FinalTrainCount);
        Assert.Contains(stages, s => s.StartsWith("no validation split:", StringComparison.Ordinal) && s.Contains("refit on all of them"));
        Assert.Contains(stages, s => s.StartsWith("refit the head on train+val", StringComparison.Ordinal));
        Assert.NotEqual(result.Fit.Head.Mean, result.Head.Mean);

        var noRefit = await new TrainingService().RunAsync(new TrainOptions { Epochs = 8, EvaluateTest = false, RefitOnTrainVal = false },
            trainOnly, bb, Path.Combine(_work, "u"));
        Assert.Equal(trainOnly.Count - noRefit.CarvedValidation, noRefit.FinalTrainCount);
        Assert.Equal(noRefit.Fit.Head.Mean, noRefit.Head.Mean);
    }

    [Fact]
    public async Task TestEvaluation_OnCachedEmbeddings_EqualsEvaluatingTheExportedFile_AndRetrainsFromCache()
    {
        var bb = GeneratedBackbone.EnsureIn(_work, size: 32);
        using var cache = new EmbeddingCache(Path.Combine(_work, "cache2.db"));
        var result = await new TrainingService(cache).RunAsync(new TrainOptions { Epochs = 10 }, _data.Items, bb, Path.Combine(_work, "e"));
        var viaFile = await Lookout.Core.Evaluation.EvaluationService.EvaluateAsync(result.ModelPath, _data.Items);
        var viaCache = result.Test!;
        Assert.Equal(viaFile.Count, viaCache.Count);
        Assert.Equal(viaFile.Correct, viaCache.Correct);
        Assert.Equal(viaFile.Confusion, viaCache.Confusion);
        Assert.Equal(viaFile.CalledUnknown, viaCache.CalledUnknown);
        Assert.Equal(viaFile.LogLoss, viaCache.LogLoss, 4);
        Assert.Equal(["embed", "train", "calibrate", "eval", "write", "export"], result.Timings.Select(t => t.Stage)); // export overlaps eval, waited for last

        var messages = new List<string>();
        var again = await new TrainingService(cache).RunAsync(new TrainOptions { Epochs = 10 }, _data.Items, bb, Path.Combine(_work, "f"), new StageRecorder(messages));
        Assert.Equal(_data.Items.Count, again.EmbeddingsFromCache); // test images too: a retrain runs no backbone
        Assert.Contains($"embeddings: all {_data.Items.Count} from cache", messages);
        Assert.DoesNotContain(messages, m => m.Contains("img/s", StringComparison.Ordinal)); // no "0 computed at 0.0 img/s" on a fully cached run
        Assert.Equal(viaCache.Confusion, again.Test!.Confusion);
    }

    private sealed class StageRecorder(List<string> stages) : IPipelineObserver
    {
        public void OnMessage(PipelinePhase phase, string message) => stages.Add(message);
    }

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }
}
