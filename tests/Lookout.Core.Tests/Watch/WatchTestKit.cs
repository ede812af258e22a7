using System.Collections.Concurrent;
using Lookout.Core.Imaging;
using Lookout.Core.Tests.Video;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Sources;

namespace Lookout.Core.Tests.Watch;

/// <summary>Wraps an analyzer and counts the frames it was asked to look at.</summary>
internal sealed class CountingAnalyzer(IFrameAnalyzer inner, TimeSpan? delay = null) : IFrameAnalyzer
{
    private int _calls;
    public int Calls => _calls;
    public string Name => inner.Name;
    public IReadOnlyList<string> Labels => inner.Labels;
    public AnalyzerKinds Kinds => inner.Kinds;

    public FrameAnalysis Analyze(RgbImage frame)
    {
        Interlocked.Increment(ref _calls);
        if (delay is { } d) Thread.Sleep(d);
        return inner.Analyze(frame);
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>Records what the watcher reported.</summary>
internal sealed class RecordingObserver : IWatchObserver
{
    public ConcurrentQueue<SourceStatus> Statuses { get; } = new();
    public ConcurrentQueue<(AlertEvent Alert, IReadOnlyList<ActionOutcome> Outcomes)> Alerts { get; } = new();
    public ConcurrentQueue<WatchStats> Stats { get; } = new();
    public Action<AlertEvent>? OnAlertSeen { get; init; }

    public void OnStats(WatchStats stats) => Stats.Enqueue(stats);
    public void OnSource(SourceStatus status) => Statuses.Enqueue(status);
    public void OnAlert(AlertEvent alert, IReadOnlyList<ActionOutcome> outcomes)
    {
        Alerts.Enqueue((alert, outcomes));
        OnAlertSeen?.Invoke(alert);
    }
}

internal static class WatchTestKit
{
    public static IFrameAnalyzer Tiny(string dir) =>
        ClassifierFrameAnalyzer.Load(TinyClassifier.Build(Path.Combine(dir, "tiny.onnx")));

    /// <summary>
    /// 10 fps, 96x64: grey for <paramref name="before"/> s, then a blob drifting left to right for
    /// <paramref name="present"/> s, then grey for <paramref name="after"/> s. Light noise like a real sensor.
    /// </summary>
    public static async Task<string> BlobClip(string path, (byte R, byte G, byte B) colour, double before = 1.5, double present = 3, double after = 2)
    {
        const int fps = 10;
        await using var writer = Lookout.Core.Video.FfmpegVideoWriter.Create(path, 96, 64, fps);
        int n0 = (int)(before * fps), n1 = (int)(present * fps), n2 = (int)(after * fps), seed = 0;
        for (int i = 0; i < n0; i++) await writer.WriteAsync(Scenes.Frame(96, 64, noiseSeed: seed++));
        for (int i = 0; i < n1; i++) await writer.WriteAsync(Scenes.Frame(96, 64, colour, side: 0.55, cx: 0.35 + 0.3 * i / n1, noiseSeed: seed++));
        for (int i = 0; i < n2; i++) await writer.WriteAsync(Scenes.Frame(96, 64, noiseSeed: seed++));
        await writer.CompleteAsync();
        return path;
    }

    public static FfmpegSource File(string clip) => new(clip, new SourceOptions { MaxSide = null });
}
