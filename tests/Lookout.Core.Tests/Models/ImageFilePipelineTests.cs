using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;

namespace Lookout.Core.Tests.Models;

public class ImageFilePipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-pipeline-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private List<string> Files(int count, params int[] bad)
    {
        var rng = new Random(3);
        var paths = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var p = Path.Combine(_dir, $"img{i:000}.png");
            if (bad.Contains(i)) File.WriteAllText(p, "not an image");
            else ShapesDataset.WritePng(p, ShapesDataset.Draw(ShapesDataset.Classes[i % 4], 48, rng), 48);
            paths.Add(p);
        }
        return paths;
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 4, 2)]
    [InlineData(8, 2, 1)]
    public async Task AnyWorkerMix_GivesEveryFileInInputOrder_WithTheSameRowsAsOneByOne(int batch, int decoders, int inferers)
    {
        var bb = GeneratedBackbone.EnsureIn(_dir);
        var paths = Files(23, bad: [0, 7, 22]);
        using var runner = new OnnxImageRunner(bb.OnnxPath, Backbone.OutputName, bb.Spec,
            new OnnxRunnerOptions { BatchSize = batch, DecodeParallelism = decoders, InferenceWorkers = inferers });
        var outcomes = new List<ImageOutcome>();
        var progress = new List<BatchProgress>();
        await foreach (var o in runner.RunFilesAsync(paths, new Progress(progress))) outcomes.Add(o);

        Assert.Equal(Enumerable.Range(0, 23), outcomes.Select(o => o.Index));
        Assert.Equal(paths, outcomes.Select(o => o.Source));
        Assert.Equal([0, 7, 22], outcomes.Where(o => !o.Ok).Select(o => o.Index));
        Assert.All(outcomes.Where(o => !o.Ok), o => Assert.False(string.IsNullOrEmpty(o.Error)));
        using var single = new OnnxImageRunner(bb.OnnxPath, Backbone.OutputName, bb.Spec, new OnnxRunnerOptions { BatchSize = 1 });
        foreach (var o in outcomes.Where(o => o.Ok))
            Assert.Equal(single.Run([Lookout.Core.Imaging.ImageLoader.Load(o.Source, bb.Spec)])[0], o.Output!, new ToleranceComparer(1e-5f));
        Assert.Equal(23, progress[^1].Done);
        Assert.Equal(3, progress[^1].Failed);
    }

    [Fact]
    public async Task StoppingEarly_EndsTheWorkers_AndTheRunnerStaysUsable()
    {
        var bb = GeneratedBackbone.EnsureIn(_dir);
        var paths = Files(40);
        using var runner = new OnnxImageRunner(bb.OnnxPath, Backbone.OutputName, bb.Spec, new OnnxRunnerOptions { BatchSize = 2 });
        int seen = 0;
        await foreach (var _ in runner.RunFilesAsync(paths))
            if (++seen == 3) break;
        Assert.Equal(3, seen);
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in runner.RunFilesAsync(paths, ct: cancel.Token)) cancel.Cancel();
        });
        int all = 0;
        await foreach (var o in runner.RunFilesAsync(paths)) all += o.Ok ? 1 : 0;
        Assert.Equal(40, all);
    }

    private sealed class Progress(List<BatchProgress> into) : IProgress<BatchProgress>
    {
        public void Report(BatchProgress value) => into.Add(value);
    }

    private sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance * Math.Max(1, Math.Abs(a));
        public int GetHashCode(float f) => 0;
    }
}
