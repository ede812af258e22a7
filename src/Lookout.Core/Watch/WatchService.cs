using System.Diagnostics;
using System.Threading.Channels;
using Lookout.Core.Video;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Events;
using Lookout.Core.Watch.Motion;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Watch.Sharing;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Watch;

/// <summary>One camera of a watch: its name in events and stats, and where its frames come from.</summary>
public sealed record WatchCamera(string Name, IFrameSource Source);

/// <summary>
/// <c>lookout watch</c>: per camera, source → motion gate → inference → rules (temporal consensus) → actions, each
/// stage a task joined to the next by a bounded channel. For live sources the frame channels drop the oldest frame,
/// so the model always works on the newest one and latency stays bounded however slow it is. All cameras share one
/// analyzer through <see cref="SharedFrameScheduler"/>: their frames are batched into shared forward passes, served
/// round-robin so no camera starves, on one inference thread (cameras never fight over the cores). Runs until every
/// source ends or <c>ct</c> is cancelled (then returns the final stats rather than throwing).
/// </summary>
public sealed class WatchService
{
    private sealed record Captured(Frame Frame, long Arrival);
    private sealed record Analysed(Captured Captured, FrameAnalysis Analysis);
    private sealed record Fired(Captured Captured, FrameAnalysis Analysis, Rule Rule, AlertDecision Decision);

    /// <summary>One camera (named <see cref="WatchOptions.Camera"/> or after the source).</summary>
    public async Task<WatchStats> RunAsync(IFrameSource source, IFrameAnalyzer analyzer, RuleSet rules, WatchOptions options,
        IWatchObserver? observer = null, CancellationToken ct = default) =>
        (await RunAsync([new WatchCamera(options.Camera ?? source.Name, source)], analyzer, rules, options, observer, ct).ConfigureAwait(false))[0];

    /// <summary>Several cameras in one process, one analyzer, the same rules; stats per camera, in order.</summary>
    public async Task<IReadOnlyList<WatchStats>> RunAsync(IReadOnlyList<WatchCamera> cameras, IFrameAnalyzer analyzer, RuleSet rules,
        WatchOptions options, IWatchObserver? observer = null, CancellationToken ct = default)
    {
        Validate(cameras, analyzer, rules, options);
        observer ??= NullWatchObserver.Instance;
        var runs = cameras.Select(c => new Run(c.Name)).ToArray();
        using var store = EventStore.Open(options.Workspace);
        await using var dispatcher = AlertDispatcher.Create(rules, options.Workspace, store);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var scheduler = new SharedFrameScheduler(analyzer, cameras.Count, options.MaxBatch, passBudget: options.PassBudget);

        var pipelines = cameras.Select((camera, i) => Pipeline(camera.Source, i, scheduler, rules, options, runs[i], dispatcher, observer, stop, 0, null, stop.Token)).ToArray();
        var ticker = Tick(observer, runs, scheduler, options.StatsInterval, stop.Token);
        try
        {
            await Task.WhenAll(pipelines).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await ticker.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        var final = runs.Select(r => r.Snapshot(scheduler)).ToList();
        foreach (var s in final) observer.OnStats(s);
        return final;
    }

    /// <summary>
    /// A camera list shared with other watchers (on this or other hosts): this watcher runs only the cameras whose
    /// lease it holds (<paramref name="leases"/>), starting a camera's pipeline when its lease is won and stopping it
    /// the moment the lease is lost; alerts go through <paramref name="recorder"/> with the lease's fencing token.
    /// Runs until <paramref name="ct"/> is cancelled or a pipeline fails; stats per listed camera, in order (zero for
    /// cameras never owned here).
    /// </summary>
    public async Task<IReadOnlyList<WatchStats>> RunSharedAsync(IReadOnlyList<WatchCamera> cameras, IFrameAnalyzer analyzer, RuleSet rules,
        WatchOptions options, ICameraLeases leases, IAlertRecorder recorder, IWatchObserver? observer = null, CancellationToken ct = default)
    {
        Validate(cameras, analyzer, rules, options);
        var watchObserver = observer ?? NullWatchObserver.Instance;
        var runs = cameras.Select(c => new Run(c.Name)).ToArray();
        var index = cameras.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        await using var dispatcher = AlertDispatcher.Create(rules, recorder);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var scheduler = new SharedFrameScheduler(analyzer, cameras.Count, options.MaxBatch, passBudget: options.PassBudget);
        var owned = new List<Task>();
        Exception? fatal = null;

        async Task Own(CameraLease lease)
        {
            int i = index[lease.Camera];
            using var camera = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, lease.Lost);
            watchObserver.OnOwnership(new CameraOwnership(lease.Camera, OwnershipChange.Acquired, lease.Epoch));
            var acquired = Stopwatch.StartNew();
            void FirstFrame() => watchObserver.OnOwnership(new CameraOwnership(lease.Camera, OwnershipChange.FirstFrame, lease.Epoch,
                FormattableString.Invariant($"{acquired.Elapsed.TotalSeconds:0.00} s after acquiring")));
            string reason = "source ended";
            try
            {
                await Pipeline(cameras[i].Source, i, scheduler, rules, options, runs[i], dispatcher, watchObserver, camera, lease.Epoch, FirstFrame, stop.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (camera.IsCancellationRequested)
            {
                reason = lease.Lost.IsCancellationRequested ? "lease ended" : "watcher stopping";
            }
            catch (Exception e)
            {
                // A failing pipeline stops the whole watcher, as on one box; its leases then expire and others take over.
                reason = $"{e.GetType().Name}: {e.Message}";
                Interlocked.CompareExchange(ref fatal, e, null);
                await stop.CancelAsync().ConfigureAwait(false);
            }
            watchObserver.OnOwnership(new CameraOwnership(lease.Camera, OwnershipChange.Stopped, lease.Epoch, reason));
        }

        Task OnAcquired(CameraLease lease)
        {
            if (!index.ContainsKey(lease.Camera)) throw new InvalidOperationException($"lease for unknown camera '{lease.Camera}'");
            var task = Task.Run(() => Own(lease));
            lock (owned) owned.Add(task);
            return task;
        }

        // Stats lines only for cameras this watcher has run: the others belong to other watchers.
        var ticker = Tick(watchObserver, runs, scheduler, options.StatsInterval, stop.Token, run => Interlocked.Read(ref run.FramesIn) > 0);
        try
        {
            await leases.RunAsync(cameras.Select(c => c.Name).ToList(), OnAcquired, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            Task[] running;
            lock (owned) running = [.. owned];
            await Task.WhenAll(running).ConfigureAwait(false);
            try { await ticker.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        if (fatal is not null) throw fatal;
        var final = runs.Select(r => r.Snapshot(scheduler)).ToList();
        foreach (var s in final) watchObserver.OnStats(s);
        return final;
    }

    private static void Validate(IReadOnlyList<WatchCamera> cameras, IFrameAnalyzer analyzer, RuleSet rules, WatchOptions options)
    {
        options.Validate();
        if (cameras.Count == 0) throw new LookoutException("no camera to watch");
        if (cameras.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new LookoutException($"two cameras are named '{twice.Key}'; give each its own name (name=source)");
        RuleEngine.Validate(rules, analyzer);
    }

    /// <param name="fence">The lease epoch alerts are written under (0 on one box).</param>
    /// <param name="firstFrame">Called once, after the first frame went through the model.</param>
    /// <param name="notify">Cancels an admitted alert's notifications: the watcher's token, never just this camera's.</param>
    private static Task Pipeline(IFrameSource source, int camera, SharedFrameScheduler scheduler, RuleSet rules, WatchOptions options, Run run,
        AlertDispatcher dispatcher, IWatchObserver observer, CancellationTokenSource stop, long fence, Action? firstFrame, CancellationToken notify)
    {
        bool drop = options.DropFrames ?? source.IsLive;
        var frames = FrameChannel(options.FrameQueueCapacity, drop, run);
        var moving = FrameChannel(1, drop, run);
        var analysed = Channel.CreateBounded<Analysed>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var fired = Channel.CreateBounded<Fired>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        IMotionGate gate = options.Motion is { } m ? new FrameDifferenceMotionGate(m) : new NoMotionGate();
        return Task.WhenAll(
            Stage(frames.Writer, stop, () => ReadSource(source, frames.Writer, run, observer, stop.Token)),
            Stage(moving.Writer, stop, () => GateMotion(frames.Reader, moving.Writer, gate, run, stop.Token)),
            Stage(analysed.Writer, stop, () => Infer(moving.Reader, analysed.Writer, scheduler, camera, drop, run, firstFrame, stop.Token)),
            Stage(fired.Writer, stop, () => Evaluate(analysed.Reader, fired.Writer, new RuleEngine(rules), stop.Token)),
            Stage<Fired>(null, stop, () => Act(fired.Reader, dispatcher, run, observer, fence, notify, stop.Token)));
    }

    private static Channel<Captured> FrameChannel(int capacity, bool drop, Run run) =>
        Channel.CreateBounded<Captured>(new BoundedChannelOptions(capacity)
        {
            FullMode = drop ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        }, _ => Interlocked.Increment(ref run.Dropped));

    /// <summary>Runs a stage; completes its output channel either way and, on failure, stops the whole pipeline.</summary>
    private static async Task Stage<T>(ChannelWriter<T>? output, CancellationTokenSource stop, Func<Task> body)
    {
        try
        {
            await Task.Run(body).ConfigureAwait(false);
            output?.TryComplete();
        }
        catch (Exception e)
        {
            output?.TryComplete(e);
            if (e is not OperationCanceledException) await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task ReadSource(IFrameSource source, ChannelWriter<Captured> output, Run run, IWatchObserver observer, CancellationToken ct)
    {
        await foreach (var frame in source.ReadAsync(observer.OnSource, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref run.FramesIn);
            await output.WriteAsync(new Captured(frame, Stopwatch.GetTimestamp()), ct).ConfigureAwait(false);
        }
    }

    private static async Task GateMotion(ChannelReader<Captured> input, ChannelWriter<Captured> output, IMotionGate gate, Run run, CancellationToken ct)
    {
        await foreach (var c in input.ReadAllAsync(ct).ConfigureAwait(false))
        {
            if (gate.Check(c.Frame.Pixels, c.Frame.Time).Pass) await output.WriteAsync(c, ct).ConfigureAwait(false);
            else Interlocked.Increment(ref run.SkippedByMotion);
        }
    }

    /// <summary>
    /// Asks the scheduler for a turn as soon as a frame is waiting; the frame is taken when the turn comes (for live
    /// sources the newest one, older ones count as dropped), so it never ages in a queue while other cameras run.
    /// </summary>
    private static async Task Infer(ChannelReader<Captured> input, ChannelWriter<Analysed> output, SharedFrameScheduler scheduler, int camera,
        bool dropStale, Run run, Action? firstFrame, CancellationToken ct)
    {
        while (await input.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            Captured? taken = null;
            var analysis = await scheduler.AnalyzeAsync(camera, () => (taken = TakeNext(input, dropStale, run)).Frame.Pixels, ct).ConfigureAwait(false);
            var c = taken!;
            Interlocked.Increment(ref run.Processed);
            firstFrame?.Invoke();
            firstFrame = null;
            run.FrameLatency.Add(Stopwatch.GetElapsedTime(c.Arrival).TotalMilliseconds);
            await output.WriteAsync(new Analysed(c, analysis), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The next frame (this stage is the channel's only reader, and it waited for one); the newest when dropping.</summary>
    private static Captured TakeNext(ChannelReader<Captured> input, bool dropStale, Run run)
    {
        if (!input.TryRead(out var next)) throw new InvalidOperationException("the frame the watcher waited for is gone");
        while (dropStale && input.TryRead(out var newer))
        {
            next = newer;
            Interlocked.Increment(ref run.Dropped);
        }
        return next;
    }

    private static async Task Evaluate(ChannelReader<Analysed> input, ChannelWriter<Fired> output, RuleEngine engine, CancellationToken ct)
    {
        await foreach (var a in input.ReadAllAsync(ct).ConfigureAwait(false))
            foreach (var (rule, decision) in engine.Step(a.Analysis, a.Captured.Frame.Time))
                await output.WriteAsync(new Fired(a.Captured, a.Analysis, rule, decision), ct).ConfigureAwait(false);
    }

    private static async Task Act(ChannelReader<Fired> input, AlertDispatcher dispatcher, Run run, IWatchObserver observer, long fence,
        CancellationToken notify, CancellationToken ct)
    {
        await foreach (var f in input.ReadAllAsync(ct).ConfigureAwait(false))
        {
            var frame = f.Captured.Frame;
            // Not admitted: another watcher already alerted this (failover) or our lease has ended. Nothing was sent.
            if (await dispatcher.DispatchAsync(f.Rule, f.Decision, run.Camera, frame.Seq, frame.Time, frame.Pixels, f.Analysis, ct, fence, notify).ConfigureAwait(false)
                is not { } dispatched)
                continue;
            var (alert, outcomes) = dispatched;
            Interlocked.Increment(ref run.Events);
            run.AlertLatency.Add(Stopwatch.GetElapsedTime(f.Captured.Arrival).TotalMilliseconds);
            observer.OnAlert(alert, outcomes);
        }
    }

    private static async Task Tick(IWatchObserver observer, Run[] runs, SharedFrameScheduler scheduler, TimeSpan interval, CancellationToken ct,
        Func<Run, bool>? include = null)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            foreach (var run in runs.Where(r => include?.Invoke(r) != false)) observer.OnStats(run.Snapshot(scheduler));
    }

    /// <summary>Counters shared by the stages (updated with Interlocked).</summary>
    private sealed class Run(string camera)
    {
        public readonly string Camera = camera;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public readonly LatencyRecorder FrameLatency = new();
        public readonly LatencyRecorder AlertLatency = new();
        public long FramesIn, Processed, Dropped, SkippedByMotion, Events;

        public WatchStats Snapshot(SharedFrameScheduler scheduler) => new(Clock.Elapsed, Interlocked.Read(ref FramesIn), Interlocked.Read(ref Processed),
            Interlocked.Read(ref Dropped), Interlocked.Read(ref SkippedByMotion), Interlocked.Read(ref Events),
            FrameLatency.Summary(), AlertLatency.Summary())
        {
            Camera = Camera,
            MeanBatch = scheduler.Passes == 0 ? 0 : (double)scheduler.Frames / scheduler.Passes,
        };
    }
}
