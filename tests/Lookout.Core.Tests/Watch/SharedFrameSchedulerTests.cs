using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch;

namespace Lookout.Core.Tests.Watch;

public class SharedFrameSchedulerTests
{
    /// <summary>Records each AnalyzeMany call (the frames' first byte identifies the camera); can hold a pass on a gate.</summary>
    private sealed class RecordingAnalyzer(bool stepped = false) : IFrameAnalyzer
    {
        public readonly ManualResetEventSlim Gate = new(true);
        /// <summary>When stepped, each pass waits for one release here instead of the gate.</summary>
        public readonly SemaphoreSlim Steps = new(0);
        public readonly SemaphoreSlim Entered = new(0);
        public readonly List<int[]> Passes = [];
        public string Name => "recording";
        public IReadOnlyList<string> Labels => ["x"];
        public AnalyzerKinds Kinds => AnalyzerKinds.Classifier;
        public FrameAnalysis Analyze(RgbImage frame) => AnalyzeMany([frame])[0];

        public IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames)
        {
            lock (Passes) Passes.Add(frames.Select(f => (int)f.Pixels[0]).ToArray());
            Entered.Release();
            if (stepped) Steps.Wait(TimeSpan.FromSeconds(20));
            else Gate.Wait(TimeSpan.FromSeconds(20));
            return frames.Select(f => new FrameAnalysis([new Lookout.Core.Inference.Prediction("x", f.Pixels[0])], [], [])).ToList();
        }

        public void Dispose() { }
    }

    private static RgbImage Frame(int camera) => new(1, 1, [(byte)camera, 0, 0]);

    [Fact]
    public async Task FramesWaitingFromSeveralCameras_ShareOnePass_AndEachGetsItsOwnResult()
    {
        var analyzer = new RecordingAnalyzer();
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 4, maxBatch: 8, workers: 1);
        analyzer.Gate.Reset();
        var first = scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));     // camera 0 alone: the model was idle, no waiting
        var others = Enumerable.Range(1, 3).Select(c => scheduler.AnalyzeAsync(c, Frame(c), CancellationToken.None)).ToList();
        await Task.Delay(100);
        analyzer.Gate.Set();

        Assert.Equal(0f, (await first).Predictions[0].Score);
        for (int c = 1; c <= 3; c++) Assert.Equal(c, (await others[c - 1]).Predictions[0].Score);
        Assert.Equal([[0], [1, 2, 3]], analyzer.Passes);                                // the three waiting frames went in one pass
        Assert.Equal(2, scheduler.Passes);
        Assert.Equal(4, scheduler.Frames);
    }

    [Fact]
    public async Task SmallBatch_ServesCamerasRoundRobin_SoNoCameraStarves()
    {
        var analyzer = new RecordingAnalyzer(stepped: true);
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 3, maxBatch: 1, workers: 1);
        var pending = new Task<FrameAnalysis>[3];
        pending[2] = scheduler.AnalyzeAsync(2, Frame(2), CancellationToken.None);
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));      // camera 2 is in the model
        pending[0] = scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);
        pending[1] = scheduler.AnalyzeAsync(1, Frame(1), CancellationToken.None);
        // One pass at a time; a served camera sends its next frame at once, so every camera always has one waiting.
        for (int pass = 0; pass < 6; pass++)
        {
            int served;
            lock (analyzer.Passes) served = analyzer.Passes[^1][0];
            analyzer.Steps.Release();                                                   // the running pass ends
            await pending[served];
            Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));  // the next pass has started
            pending[served] = scheduler.AnalyzeAsync(served, Frame(served), CancellationToken.None);
        }
        analyzer.Steps.Release(3);
        await Task.WhenAll(pending);

        var order = analyzer.Passes.Take(7).Select(p => Assert.Single(p)).ToList();
        Assert.Equal([2, 0, 1, 2, 0, 1, 2], order);                                     // strict rotation: nobody skipped
    }

    [Fact]
    public async Task TwoWorkers_ShareTheWaitingFrames_AndRunPassesAtOnce()
    {
        var analyzer = new RecordingAnalyzer();
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 5, maxBatch: 8, workers: 2);
        analyzer.Gate.Reset();
        var first = scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));       // worker 1 is busy with camera 0
        var rest = Enumerable.Range(1, 4).Select(c => scheduler.AnalyzeAsync(c, Frame(c), CancellationToken.None)).ToList();
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));       // worker 2 started a pass meanwhile
        analyzer.Gate.Set();
        await first;
        await Task.WhenAll(rest);
        Assert.Equal([0], analyzer.Passes[0]);
        Assert.InRange(analyzer.Passes[1].Length, 1, 2);                                 // at most half of the four waiting
        Assert.Equal([0, 1, 2, 3, 4], analyzer.Passes.SelectMany(p => p).Order());       // every frame once
    }

    [Fact]
    public async Task FrameIsTakenWhenTheCamerasTurnComes_SoItIsTheNewest()
    {
        var analyzer = new RecordingAnalyzer();
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 2, maxBatch: 4, workers: 1);
        analyzer.Gate.Reset();
        var busy = scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));     // the model is busy with camera 0
        int newest = 10, takes = 0;
        var waiting = scheduler.AnalyzeAsync(1, () => { takes++; return Frame(newest); }, CancellationToken.None);
        newest = 11;                                                                   // camera 1 got a newer frame meanwhile
        analyzer.Gate.Set();
        await busy;
        Assert.Equal(11f, (await waiting).Predictions[0].Score);
        Assert.Equal(1, takes);
    }

    /// <summary>A model that takes a fixed time per frame (sleeps), so the scheduler can measure its cost.</summary>
    private sealed class SlowAnalyzer(int msPerFrame) : IFrameAnalyzer
    {
        public readonly List<int> BatchSizes = [];
        public string Name => "slow";
        public IReadOnlyList<string> Labels => ["x"];
        public AnalyzerKinds Kinds => AnalyzerKinds.Classifier;
        public FrameAnalysis Analyze(RgbImage frame) => AnalyzeMany([frame])[0];

        public IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames)
        {
            lock (BatchSizes) BatchSizes.Add(frames.Count);
            Thread.Sleep(msPerFrame * frames.Count);
            return frames.Select(_ => new FrameAnalysis([], [], [])).ToList();
        }

        public void Dispose() { }
    }

    [Fact]
    public async Task PassBudget_LimitsAPassToTheFramesThatFit_AtTheMeasuredCost()
    {
        var analyzer = new SlowAnalyzer(msPerFrame: 40);
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 6, maxBatch: 8, workers: 1, passBudget: TimeSpan.FromMilliseconds(100));
        await scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);             // first pass: the cost is measured
        for (int round = 0; round < 3; round++)
            await Task.WhenAll(Enumerable.Range(0, 6).Select(c => scheduler.AnalyzeAsync(c, Frame(c), CancellationToken.None)));
        // 40 ms a frame (more on a loaded machine, never less) fits at most 2 in 100 ms; every camera still served.
        Assert.All(analyzer.BatchSizes.Skip(1), b => Assert.InRange(b, 1, 2));
        Assert.Equal(1 + 18, analyzer.BatchSizes.Sum());
    }

    [Fact]
    public async Task CancelledWait_FreesTheCamerasSlot()
    {
        var analyzer = new RecordingAnalyzer();
        using var scheduler = new SharedFrameScheduler(analyzer, cameras: 2, maxBatch: 4, workers: 1);
        analyzer.Gate.Reset();
        var busy = scheduler.AnalyzeAsync(0, Frame(0), CancellationToken.None);
        Assert.True(await analyzer.Entered.WaitAsync(TimeSpan.FromSeconds(10)));
        using var cancel = new CancellationTokenSource();
        var waiting = scheduler.AnalyzeAsync(1, Frame(1), cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        var again = scheduler.AnalyzeAsync(1, Frame(1), CancellationToken.None);   // the slot is free again
        analyzer.Gate.Set();
        await busy;
        Assert.Equal(1f, (await again).Predictions[0].Score);
        Assert.Equal([[0], [1]], analyzer.Passes);                                      // the cancelled frame never ran
    }
}
