using System.Diagnostics;
using System.Runtime.CompilerServices;
using Lookout.Core.Video;

namespace Lookout.Core.Watch.Sources;

/// <summary>
/// A file, RTSP/HTTP stream or V4L2 camera read through <see cref="FfmpegFrameReader"/>. Live sources reconnect
/// with exponential backoff (reset once frames flow again); frames are renumbered and re-timed so
/// <see cref="Frame.Seq"/> and <see cref="Frame.Time"/> keep increasing across reconnects and loops.
/// </summary>
public sealed class FfmpegSource : IFrameSource
{
    private readonly string _source;
    private readonly SourceOptions _options;
    private readonly SourceKind _kind;
    private readonly FfmpegTools _tools;

    public FfmpegSource(string source, SourceOptions? options = null, FfmpegTools? tools = null)
    {
        _source = source;
        _options = options ?? new SourceOptions();
        _options.Validate();
        _kind = SourceKinds.Detect(source);
        _tools = tools ?? FfmpegTools.Default;
        if (_kind == SourceKind.File && !File.Exists(source)) throw new LookoutException($"{source}: file not found");
    }

    public string Name => _kind == SourceKind.File ? Path.GetFileNameWithoutExtension(_source) : _source;
    public bool IsLive => _kind != SourceKind.File || _options.RealTime;
    private bool Reconnects => _kind != SourceKind.File && _options.Reconnect;

    public async IAsyncEnumerable<Frame> ReadAsync(Action<SourceStatus>? status, [EnumeratorCancellation] CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var backoff = _options.InitialBackoff;
        long seq = 0;
        var offset = TimeSpan.Zero;
        while (!ct.IsCancellationRequested)
        {
            status?.Invoke(new SourceStatus(_source, SourceState.Connecting));
            TimeSpan last = TimeSpan.Zero, step = TimeSpan.FromSeconds(0.04);
            string? failure = null;
            await using (var frames = OpenFrames(ct).GetAsyncEnumerator(ct))
            {
                bool first = true;
                while (true)
                {
                    Frame frame;
                    try
                    {
                        if (!await frames.MoveNextAsync().ConfigureAwait(false)) break;
                        frame = frames.Current;
                    }
                    catch (Exception e) when (Reconnects && !ct.IsCancellationRequested && e is VideoException or IOException)
                    {
                        failure = e is VideoException v ? v.Reason : e.Message;
                        break;
                    }
                    bool wasFirst = first;
                    if (first)
                    {
                        status?.Invoke(new SourceStatus(_source, SourceState.Connected));
                        backoff = _options.InitialBackoff;
                        first = false;
                    }
                    if (!wasFirst && frame.Time > last) step = frame.Time - last;
                    last = frame.Time;
                    var time = _kind == SourceKind.File ? offset + frame.Time : wall.Elapsed;
                    yield return frame with { Seq = seq++, Time = time };
                }
            }
            ct.ThrowIfCancellationRequested();
            if (_kind == SourceKind.File && _options.Loop)
            {
                offset += last + step;   // the next loop starts one frame after this one ended
                continue;
            }
            if (!Reconnects) break;
            var wait = backoff;
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
            status?.Invoke(new SourceStatus(_source, SourceState.Disconnected, failure ?? "the stream ended", wait));
            await Task.Delay(wait, ct).ConfigureAwait(false);
        }
        status?.Invoke(new SourceStatus(_source, SourceState.Ended));
    }

    /// <summary>One connection: probe, then frames until the stream ends. Probe failures surface on the first MoveNext.</summary>
    private async IAsyncEnumerable<Frame> OpenFrames([EnumeratorCancellation] CancellationToken ct)
    {
        var readerOptions = new FrameReaderOptions
        {
            FramesPerSecond = _options.Fps,
            MaxSide = _options.MaxSide,
            RealTime = _kind == SourceKind.File && _options.RealTime,
            InputArguments = SourceKinds.InputArguments(_kind, _options.NetworkTimeout),
            Tools = _tools,
        };
        await using var reader = await FfmpegFrameReader.OpenAsync(_source, readerOptions, ct).ConfigureAwait(false);
        await foreach (var frame in reader.ReadFramesAsync(ct).ConfigureAwait(false)) yield return frame;
    }
}
