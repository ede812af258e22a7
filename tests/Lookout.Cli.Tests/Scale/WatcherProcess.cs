using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// A real <c>lookout watch --db</c> process. Every log line is stamped with the test's own clock when it arrives, so
/// the test can order events across processes and time a takeover from the moment it killed one (SIGKILL).
/// </summary>
public sealed partial class WatcherProcess : IDisposable
{
    private readonly Process _p;
    private readonly ConcurrentQueue<(DateTime At, string Line)> _lines = new();

    public WatcherProcess(string workingDir, string name, IEnumerable<string> args)
    {
        Name = name;
        _p = Process.Start(CliRunner.StartInfo(workingDir, ["watch", "--name", name, .. args]))!;
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue((DateTime.UtcNow, e.Data)); };
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue((DateTime.UtcNow, e.Data)); };
        _p.BeginErrorReadLine();
        _p.BeginOutputReadLine();
    }

    public string Name { get; }
    public bool HasExited => _p.HasExited;
    public DateTime? KilledAt { get; private set; }
    public string Log => string.Join('\n', _lines.Select(l => l.Line));

    /// <summary>
    /// Ownership lines (<c>HH:mm:ss.fff camera X: acquired|first frame processed|stopped (epoch N)</c>), timed by the stamp
    /// the watcher wrote (same host, same clock: exact to the millisecond, unlike the arrival through a pipe), in UTC.
    /// </summary>
    public IReadOnlyList<(DateTime At, string Camera, string Change, long Epoch)> Ownership() =>
        _lines.Select(l => (l.At, M: OwnershipLine().Match(l.Line))).Where(x => x.M.Success)
            .Select(x => (Stamp(x.M.Groups[1].Value, x.At), x.M.Groups[2].Value, x.M.Groups[3].Value, long.Parse(x.M.Groups[4].Value))).ToList();

    /// <summary>A local time of day written near <paramref name="arrivedUtc"/>, as a UTC instant.</summary>
    private static DateTime Stamp(string timeOfDay, DateTime arrivedUtc)
    {
        var arrived = arrivedUtc.ToLocalTime();
        var local = arrived.Date + TimeSpan.ParseExact(timeOfDay, @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
        if (local - arrived > TimeSpan.FromHours(12)) local -= TimeSpan.FromDays(1); // written just before midnight
        return DateTime.SpecifyKind(local, DateTimeKind.Local).ToUniversalTime();
    }

    public IEnumerable<string> Lines => _lines.Select(l => l.Line);

    /// <summary>SIGKILL, as a power cut would: no lease is released, no heartbeat removed.</summary>
    public void Kill()
    {
        KilledAt = DateTime.UtcNow;
        try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.WaitForExit(10_000);
    }

    public void Dispose()
    {
        if (!_p.HasExited) Kill();
        _p.Dispose();
    }

    [GeneratedRegex(@"^(\d\d:\d\d:\d\d\.\d{3}) camera (\S+): (acquired|first frame processed|stopped) \(epoch (\d+)\)")]
    private static partial Regex OwnershipLine();
}
