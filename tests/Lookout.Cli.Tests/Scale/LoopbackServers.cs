using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lookout.Cli.Tests.Scale;

/// <summary>Helpers for the real servers the scale-out tests start on loopback, each in its own folder and on free ports.</summary>
internal static class LoopbackServers
{
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>
    /// <paramref name="count"/> consecutive free ports below Linux's ephemeral range (32768+), so outgoing connections
    /// (a proxy's to its upstreams) never take one as their local port while a test restarts a server on it.
    /// </summary>
    public static int FreeConsecutivePorts(int count)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int first = Random.Shared.Next(20000, 32000 - count);
            var held = new List<TcpListener>();
            try
            {
                for (int p = first; p < first + count; p++)
                {
                    var l = new TcpListener(IPAddress.Loopback, p);
                    l.Start();
                    held.Add(l);
                }
                return first;
            }
            catch (SocketException) { /* taken: try another range */ }
            finally { foreach (var l in held) l.Stop(); }
        }
        throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
    }

    public static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    public static async Task WaitUntilAsync(Func<bool> ready, string what, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"{what} not ready after {timeout.TotalSeconds:0} s. {diagnostics?.Invoke()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Runs a command to completion; a non-zero exit is an exception with its output.</summary>
    public static string Run(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? workingDir = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDir ?? "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result} {stderr.Result}");
        return stdout.Result;
    }

    public static bool IsRoot => Environment.UserName == "root" || Run("id", ["-u"]).Trim() == "0";
}
