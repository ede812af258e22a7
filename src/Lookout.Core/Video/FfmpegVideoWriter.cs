using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Imaging;

namespace Lookout.Core.Video;

/// <summary>
/// Encodes RGB frames into a video file by piping rawvideo into the ffmpeg CLI. Used to make demo and test
/// clips (and later, event clips). Call <see cref="CompleteAsync"/> to finish the file; disposing without
/// completing kills ffmpeg and deletes the partial output.
/// </summary>
public sealed class FfmpegVideoWriter : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;
    private readonly string _path;
    private readonly string _tempPath;
    private bool _completed;

    public int Width { get; }
    public int Height { get; }
    public double FramesPerSecond { get; }

    private FfmpegVideoWriter(string path, string tempPath, int width, int height, double fps, Process process)
    {
        _path = path; _tempPath = tempPath; Width = width; Height = height; FramesPerSecond = fps; _process = process;
        _stderr = FfmpegTools.DrainAsync(process.StandardError);
    }

    public static FfmpegVideoWriter Create(string path, int width, int height, double fps, FfmpegTools? tools = null)
    {
        if (width < 2 || height < 2) throw new ArgumentOutOfRangeException(nameof(width), "frames must be at least 2x2");
        if (!double.IsFinite(fps) || fps <= 0) throw new ArgumentOutOfRangeException(nameof(fps), fps, "fps must be positive");
        tools ??= FfmpegTools.Default;
        var ext = Path.GetExtension(path).ToLowerInvariant();
        // Write to a temp name with the same extension (ffmpeg picks the container from it), then rename.
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileNameWithoutExtension(path)}.{Guid.NewGuid():N}{ext}");
        var args = new List<string>
        {
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", $"{width}x{height}",
            "-framerate", fps.ToString("R", CultureInfo.InvariantCulture), "-i", "pipe:0",
        };
        args.AddRange(CodecArguments(ext));
        args.Add(temp);
        var process = FfmpegTools.Start(tools.Ffmpeg, args, path, redirectStdin: true);
        return new FfmpegVideoWriter(path, temp, width, height, fps, process);
    }

    private static string[] CodecArguments(string ext) => ext switch
    {
        ".avi" => ["-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"],
        ".webm" => ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"],
        ".mp4" or ".mov" or ".mkv" => ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"],
        _ => throw new ArgumentException($"unsupported video extension '{ext}' (use .mp4, .mov, .mkv, .avi or .webm)"),
    };

    public async Task WriteAsync(RgbImage frame, CancellationToken ct = default)
    {
        if (frame.Width != Width || frame.Height != Height)
            throw new ArgumentException($"frame is {frame.Width}x{frame.Height}, writer expects {Width}x{Height}");
        try
        {
            await _process.StandardInput.BaseStream.WriteAsync(frame.Pixels.AsMemory(0, frame.ByteCount), ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            FfmpegTools.Kill(_process);
            throw new VideoException(_path, $"ffmpeg stopped accepting frames ({FfmpegTools.LastLine(await _stderr.ConfigureAwait(false))})", e);
        }
    }

    public async Task CompleteAsync(CancellationToken ct = default)
    {
        _process.StandardInput.Close();
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        var err = await _stderr.ConfigureAwait(false);
        if (_process.ExitCode != 0)
        {
            File.Delete(_tempPath);
            throw new VideoException(_path, $"ffmpeg could not encode the video ({FfmpegTools.LastLine(err)})");
        }
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            FfmpegTools.Kill(_process);
            try { _process.WaitForExit(5000); } catch (InvalidOperationException) { }
            try { File.Delete(_tempPath); } catch (IOException) { }
        }
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
