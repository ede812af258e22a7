using Lookout.Server.Batching;
using Lookout.Server.Metrics;
using Lookout.Server.Models;
using Lookout.Core.Imaging;

namespace Lookout.Server.Tests.Batching;

/// <summary>The batcher around a real (tiny) ONNX classifier held at a gate: which requests share which pass.</summary>
public sealed class MicroBatcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-microbatcher").FullName;
    private readonly GatedModel _model;
    private readonly ModelHandle _handle;

    public MicroBatcherTests()
    {
        var path = TestModels.Write(_dir, "colours", TestModels.ColourClassifier(["red", "green", "blue"]));
        _model = new GatedModel(new ClassifierModelLoader().Load(path));
        _handle = new ModelHandle("colours", _model, DateTimeOffset.UtcNow, TimeSpan.Zero, 1);
    }

    private static RgbImage Pixels(byte r, byte g, byte b)
    {
        var px = new byte[8 * 8 * 3];
        for (int i = 0; i < px.Length; i += 3) (px[i], px[i + 1], px[i + 2]) = (r, g, b);
        return new RgbImage(8, 8, px);
    }

    private static readonly TimeSpan Liveness = TimeSpan.FromSeconds(30); // a guard against hanging, not a timing assert

    private MicroBatcher Batcher(int maxBatch, int capacity = 64) =>
        new("colours", new BatchingOptions(maxBatch, TimeSpan.Zero, capacity, 1), new ServerMetrics());

    [Fact]
    public async Task LoneRequest_RunsAtOnce_AndWaitersGoTogether_UpToTheCap()
    {
        await using var batcher = Batcher(maxBatch: 4);
        _model.Gate.Reset();
        var first = batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None);
        Assert.True(await _model.Entered.WaitAsync(Liveness)); // no other request came: the lone one is in the model already
        var waiting = Enumerable.Range(0, 6).Select(i => batcher.SubmitAsync(_handle, Pixels(0, (byte)(i % 2 == 0 ? 250 : 0), (byte)(i % 2 == 0 ? 0 : 250)), CancellationToken.None)).ToList();
        Assert.Equal(6, batcher.QueueDepth); // all six queued behind the running pass
        _model.Gate.Set();

        Assert.Equal(0, ArgMax((await first).Probabilities));
        for (int i = 0; i < waiting.Count; i++) Assert.Equal(i % 2 == 0 ? 1 : 2, ArgMax((await waiting[i]).Probabilities));
        Assert.Equal([1, 4, 2], _model.Batches); // the six that waited: one full pass (cap 4), then the rest
    }

    [Fact]
    public async Task CancelledWaitingRequest_LeavesTheQueueAtOnce_AndNeverReachesTheModel()
    {
        await using var batcher = Batcher(maxBatch: 4);
        _model.Gate.Reset();
        var running = batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None);
        Assert.True(await _model.Entered.WaitAsync(Liveness));
        using var cancel = new CancellationTokenSource();
        var abandoned = batcher.SubmitAsync(_handle, Pixels(0, 250, 0), cancel.Token);
        var kept = batcher.SubmitAsync(_handle, Pixels(0, 0, 250), CancellationToken.None);
        Assert.Equal(2, batcher.QueueDepth);

        cancel.Cancel(); // the registration runs synchronously: the request is out of the queue when Cancel returns
        Assert.Equal(1, batcher.QueueDepth);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        _model.Gate.Set();

        Assert.Equal(0, ArgMax((await running).Probabilities));
        Assert.Equal(2, ArgMax((await kept).Probabilities));
        Assert.Equal([1, 1], _model.Batches);
    }

    [Fact]
    public async Task FullQueue_RefusesAtOnce_WithOverloaded()
    {
        await using var batcher = Batcher(maxBatch: 1, capacity: 2);
        _model.Gate.Reset();
        var running = batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None);
        Assert.True(await _model.Entered.WaitAsync(Liveness));
        var queued = new[] { batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None), batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None) };
        await Assert.ThrowsAsync<Lookout.Server.Api.ServerOverloadedException>(() => batcher.SubmitAsync(_handle, Pixels(250, 0, 0), CancellationToken.None));
        _model.Gate.Set();
        await running;
        await Task.WhenAll(queued);
        Assert.Equal([1, 1, 1], _model.Batches);
    }

    private static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());

    public void Dispose()
    {
        _model.Gate.Set();
        _model.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
