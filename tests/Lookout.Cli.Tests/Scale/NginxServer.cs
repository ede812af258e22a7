using System.Diagnostics;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// A real nginx (Debian's) with its own prefix folder, config and loopback port, in the foreground: it never touches
/// the machine's own nginx service, installed or not, running or not.
/// </summary>
public sealed class NginxServer : IDisposable
{
    public const string Binary = "/usr/sbin/nginx";
    private readonly string _prefix;
    private readonly Process _process;

    public NginxServer(string prefix, string configFile, int port)
    {
        _prefix = prefix;
        Port = port;
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-p", prefix + "/", "-c", configFile, "-e", ErrorLog, "-g", "daemon off;" }) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
    }

    public static bool Installed => File.Exists(Binary);
    public int Port { get; }
    private string ErrorLog => Path.Combine(_prefix, "error.log");
    public string Log() => File.Exists(ErrorLog) ? string.Join('\n', File.ReadLines(ErrorLog).TakeLast(30)) : "(no error log)";

    public Task WaitUntilListeningAsync() =>
        LoopbackServers.WaitUntilAsync(() => _process.HasExited || LoopbackServers.Listening(Port), "nginx", TimeSpan.FromSeconds(20), Log)
            .ContinueWith(t => { t.GetAwaiter().GetResult(); if (_process.HasExited) throw new InvalidOperationException($"nginx exited {_process.ExitCode}: {Log()}"); });

    public void Dispose()
    {
        // Master and worker: the whole tree, so no worker outlives the test holding the port.
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
