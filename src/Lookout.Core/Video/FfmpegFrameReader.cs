using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Lookout.Core.Imaging;

namespace Lookout.Core.Video;

/// <summary>
/// Decodes a video file or stream with the ffmpeg CLI, which writes raw rgb24 frames to a stdout pipe.
/// Open with <see cref="OpenAsync"/> (probes the source), then enumerate <see cref="ReadFramesAsync"/> once.
/// Disposing (or cancelling) kills ffmpeg. The frame size is fixed up front so every frame is exactly
/// Width x Height x 3 bytes on the pipe.
/// </summary>
public sealed class FfmpegFrameReader : IAsyncDisposable, IDisposable
{
    private readonly string _source;
    private readonly FrameReaderOptions _options;
    private Process? _process;
    private bool _started;

    public VideoInfo Info { get; }
    /// <summary>Size of emitted frames (display orientation, after <see cref="FrameReaderOptions.MaxSide"/>).</summary>
    public int Width { get; }
    public int Height { get; }

    /// <summary>The ffmpeg process id once reading started (for tests and diagnostics).</summary>
    internal int? ProcessId { get; private set; }

    private FfmpegFrameReader(string source, FrameReaderOptions options, VideoInfo info)
    {
        _source = source;
        _options = options;
        Info = info;
        (Width, Height) = OutputSize(info.DisplayWidth, info.DisplayHeight, options.MaxSide);
    }

    public static async Task<FfmpegFrameReader> OpenAsync(string source, FrameReaderOptions? options = null, CancellationToken ct = default)
    {
        options ??= new FrameReaderOptions();
        options.Validate();
        var info = await VideoProbe.ProbeAsync(source, options.Tools, options.InputArguments, ct).ConfigureAwait(false);
        return new FfmpegFrameReader(source, options, info);
    }

    /// <summary>Fits (w, h) inside maxSide on the longer side, keeping aspect; never upscales.</summary>
    internal static (int Width, int Height) OutputSize(int width, int height, int? maxSide)
    {
        if (maxSide is not { } max || Math.Max(width, height) <= max) return (width, height);
        double scale = (double)max / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    internal IReadOnlyList<string> Arguments()
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error" };
        if (_options.RealTime) args.Add("-re");
        args.AddRange(_options.InputArguments);
        args.AddRange(["-i", _source, "-an", "-sn", "-dn"]);
        var filters = new List<string>();
        if (_options.FramesPerSecond is { } fps) filters.Add($"fps={fps.ToString("R", CultureInfo.InvariantCulture)}");
        if ((Width, Height) != (Info.DisplayWidth, Info.DisplayHeight)) filters.Add($"scale={Width}:{Height}:flags=area");
        if (filters.Count > 0) args.AddRange(["-vf", string.Join(',', filters)]);
        // passthrough: without an fps filter, emit decoded frames as they are (no duplication or dropping).
        if (_options.FramesPerSecond is null) args.AddRange(["-fps_mode", "passthrough"]);
        args.AddRange(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// Emits frames in order. Times are <c>Seq / fps</c> (the fps filter's output grid); without an fps the
    /// stream's average frame rate is used. Throws <see cref="VideoException"/> if ffmpeg fails mid-way.
    /// </summary>
    public async IAsyncEnumerable<Frame> ReadFramesAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        if (_started) throw new InvalidOperationException("A frame reader can be enumerated only once.");
        _started = true;
        var process = _process = FfmpegTools.Start(_options.Tools.Ffmpeg, Arguments(), _source);
        ProcessId = process.Id;
        var stderr = FfmpegTools.DrainAsync(process.StandardError);
        await using var kill = ct.Register(() => FfmpegTools.Kill(process));
        var stdout = process.StandardOutput.BaseStream;
        double rate = _options.FramesPerSecond ?? Info.FrameRate ?? 25.0;
        int frameBytes = Width * Height * 3;
        long seq = 0;
        try
        {
            while (true)
            {
                var buffer = new byte[frameBytes];
                int read = await ReadFullAsync(stdout, buffer, ct).ConfigureAwait(false);
                // A short last frame means ffmpeg died mid-frame; its exit code and reason are checked below.
                if (read < frameBytes) break;
                yield return new Frame(seq, TimeSpan.FromSeconds(seq / rate), new RgbImage(Width, Height, buffer));
                seq++;
            }
            ct.ThrowIfCancellationRequested();
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            var err = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
                throw new VideoException(_source, $"ffmpeg failed after {seq} frames ({FfmpegTools.LastLine(err)})");
        }
        finally
        {
            // Stopping early (break, exception, cancellation) must not leave ffmpeg running.
            FfmpegTools.Kill(process);
        }
    }

    private static async Task<int> ReadFullAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        try
        {
            return await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
    }

    public void Dispose()
    {
        if (_process is { } p)
        {
            FfmpegTools.Kill(p);
            p.Dispose();
            _process = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
