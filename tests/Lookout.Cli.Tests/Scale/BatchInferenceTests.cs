using Lookout.Core.Imaging;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;
using Lookout.Scale.Jobs;
using Lookout.Scale.Messages;
using Lookout.TestSupport;
using Lookout.Tests.Shared;

namespace Lookout.Cli.Tests.Scale;

/// <summary>What a worker computes for a batch, without broker or database: answers, embeddings, per-image errors.</summary>
public sealed class BatchInferenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-batchinf-").FullName;

    private WorkerModel Model()
    {
        var path = Path.Combine(_dir, "m.onnx");
        File.WriteAllBytes(path, OnnxWriter.Serialize(MeanColourClassifier.Build(["red", "green", "blue"], new PreprocessSpec(), [8, 0, 0, 0, 8, 0, 0, 0, 8], [0, 0, 0])));
        return new WorkerModel(path, OnnxRunnerOptions.Default);
    }

    private static BatchMessage Batch(JobTask task)
    {
        var corrupt = HostileImages.Good("png", seed: 3);
        return new BatchMessage("j", new string('f', 64), task, 2,
        [
            new("green.png", new string('1', 64), HostileImages.SolidPng(16, 16, 10, 220, 30)),
            new("cut.png", new string('2', 64), corrupt[..(corrupt.Length / 2)]),
            new("blue.png", new string('3', 64), HostileImages.SolidPng(16, 16, 0, 0, 255)),
        ]);
    }

    [Fact]
    public async Task Classify_AnswersEachGoodImage_AndNamesTheBadOneWithItsReason()
    {
        using var model = Model();
        var outcome = await BatchInference.RunAsync(model, Batch(JobTask.Classify), CancellationToken.None);
        Assert.Equal([("1111", "green"), ("3333", "blue")], outcome.Results.Select(r => (r.Sha256[..4], r.Label!)));
        Assert.All(outcome.Results, r => Assert.Equal(2, System.Text.Json.JsonDocument.Parse(r.PredictionsJson!).RootElement.GetArrayLength()));
        var failed = Assert.Single(outcome.Failed);
        Assert.Equal("cut.png", failed.Item.Name);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
    }

    [Fact]
    public async Task Embed_StoresTheModelsEmbedding_TheMeanColour()
    {
        using var model = Model();
        var outcome = await BatchInference.RunAsync(model, Batch(JobTask.Embed), CancellationToken.None);
        Assert.Equal(2, outcome.Results.Count);
        Assert.All(outcome.Results, r => Assert.Null(r.Label));
        Assert.Equal([10 / 255f, 220 / 255f, 30 / 255f], outcome.Results[0].Embedding!, (a, b) => Math.Abs(a - b) < 0.01f);
        Assert.Equal([0f, 0f, 1f], outcome.Results[1].Embedding!, (a, b) => Math.Abs(a - b) < 0.01f);
        Assert.Single(outcome.Failed);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
