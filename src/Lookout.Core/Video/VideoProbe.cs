using System.Globalization;
using System.Text.Json;

namespace Lookout.Core.Video;

/// <summary>Reads a source's video stream facts with ffprobe (size, rotation, duration, frame rate).</summary>
public static class VideoProbe
{
    /// <summary>ffprobe containers that are really still images; Lookout treats them as "not a video".</summary>
    private static readonly string[] StillImageFormats = ["image2", "_pipe", "gif", "webp"];

    /// <param name="inputArguments">Input options also given to ffmpeg (e.g. <c>-rtsp_transport tcp</c>), so both open the source alike.</param>
    public static async Task<VideoInfo> ProbeAsync(string source, FfmpegTools? tools = null, IReadOnlyList<string>? inputArguments = null, CancellationToken ct = default)
    {
        tools ??= FfmpegTools.Default;
        // With an explicit input format (-f lavfi, -f v4l2, ...) the source need not be a file.
        bool explicitFormat = inputArguments?.Contains("-f") == true;
        if (!IsUrl(source) && !explicitFormat && !File.Exists(source)) throw new VideoException(source, "file not found");
        string[] args =
        [
            .. inputArguments ?? [],
            "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,avg_frame_rate,r_frame_rate,duration:stream_tags=rotate:stream_side_data=rotation:format=format_name,duration",
            "-of", "json", source,
        ];
        using var process = FfmpegTools.Start(tools.Ffprobe, args, source);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = FfmpegTools.DrainAsync(process.StandardError);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            var json = await stdout.ConfigureAwait(false);
            var err = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0) throw new VideoException(source, $"not a readable video ({FfmpegTools.LastLine(err)})");
            return Parse(source, json);
        }
        finally
        {
            FfmpegTools.Kill(process);
        }
    }

    internal static bool IsUrl(string source) => source.Contains("://", StringComparison.Ordinal);

    internal static VideoInfo Parse(string source, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        string container = root.TryGetProperty("format", out var fmt) && fmt.TryGetProperty("format_name", out var fn) ? fn.GetString() ?? "" : "";
        if (!root.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
            throw new VideoException(source, "not a video (no video stream)");
        if (StillImageFormats.Any(s => container.EndsWith(s, StringComparison.Ordinal)))
            throw new VideoException(source, $"not a video (a still image, {container})");
        var s = streams[0];
        int width = s.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        int height = s.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0) throw new VideoException(source, "not a video (no frame size)");
        var duration = Seconds(s, "duration") ?? (root.TryGetProperty("format", out var f2) ? Seconds(f2, "duration") : null);
        var rate = Rate(s, "avg_frame_rate") ?? Rate(s, "r_frame_rate");
        return new VideoInfo(width, height, Rotation(s), duration is { } d ? TimeSpan.FromSeconds(d) : null, rate,
            s.TryGetProperty("codec_name", out var c) ? c.GetString() ?? "" : "", container);
    }

    private static int Rotation(JsonElement stream)
    {
        // ffmpeg >= 5 reports a display matrix in side data; older files/tools use the "rotate" tag.
        if (stream.TryGetProperty("side_data_list", out var sd))
            foreach (var item in sd.EnumerateArray())
                if (item.TryGetProperty("rotation", out var r) && r.TryGetDouble(out var deg)) return Normalise((int)Math.Round(deg));
        if (stream.TryGetProperty("tags", out var tags) && tags.TryGetProperty("rotate", out var rot)
            && int.TryParse(rot.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var tagDeg))
            return Normalise(tagDeg);
        return 0;
    }

    private static int Normalise(int degrees) => ((degrees % 360) + 360) % 360;

    private static double? Seconds(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : null;

    private static double? Rate(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.GetString() is not { } text) return null;
        var parts = text.Split('/');
        if (parts.Length != 2 || !double.TryParse(parts[0], CultureInfo.InvariantCulture, out var num)
            || !double.TryParse(parts[1], CultureInfo.InvariantCulture, out var den) || num <= 0 || den <= 0) return null;
        return num / den;
    }
}
