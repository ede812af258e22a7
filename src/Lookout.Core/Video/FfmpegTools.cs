using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Lookout.Core.Video;

/// <summary>Where the ffmpeg and ffprobe executables are (PATH by default, or explicit paths).</summary>
public sealed record FfmpegTools
{
    public string Ffmpeg { get; init; } = "ffmpeg";
    public string Ffprobe { get; init; } = "ffprobe";

    public static FfmpegTools Default { get; } = new();

    internal const string InstallHint = "install it (Debian/Ubuntu: apt-get install ffmpeg) or put it on PATH";

    /// <summary>Starts a tool with redirected streams; a missing executable becomes a clear <see cref="VideoException"/>.</summary>
    internal static Process Start(string exe, IEnumerable<string> args, string source, bool redirectStdin = false)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            return Process.Start(psi) ?? throw new VideoException(source, $"could not start {exe}");
        }
        catch (Win32Exception e)
        {
            throw new VideoException(source, $"{Path.GetFileName(exe)} was not found; {InstallHint}", e);
        }
    }

    /// <summary>Kills a tool process and its children if it is still running; never throws.</summary>
    internal static void Kill(Process process)
    {
        try
        {
            if (process.HasExited) return;
            process.Kill(entireProcessTree: true);
            // Reap it now, so "disposed" really means "no ffmpeg left running".
            process.WaitForExit(2000);
        }
        catch (InvalidOperationException) { }
        catch (Win32Exception) { }
    }

    /// <summary>Keeps the last few lines of a tool's stderr, for error messages (and so the pipe never fills up).</summary>
    internal static async Task<string> DrainAsync(StreamReader stderr, int maxChars = 4000)
    {
        var sb = new StringBuilder();
        var buffer = new char[1024];
        int n;
        while ((n = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            sb.Append(buffer, 0, n);
            if (sb.Length > 2 * maxChars) sb.Remove(0, sb.Length - maxChars);
        }
        return sb.Length > maxChars ? sb.ToString(sb.Length - maxChars, maxChars) : sb.ToString();
    }

    /// <summary>The most telling line of an ffmpeg error output (the last non-empty one).</summary>
    internal static string LastLine(string stderr) =>
        stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no details";
}
