using System.Diagnostics;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// A real RabbitMQ node (Debian's rabbitmq-server) on a free loopback port with its own node name, data folder,
/// cookie and no plugins, so it never meets the machine's own service (installed or not, running or not).
/// Stop and start again keep the data folder: that is a broker restart.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RabbitMqServer : IDisposable
{
    private const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private readonly string _dir;
    private readonly string _node = $"lookout{Guid.NewGuid():N}"[..20] + "@localhost";
    private Process? _process;

    public RabbitMqServer(string dir)
    {
        _dir = dir;
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "enabled_plugins"), "[].");
        var cookie = Path.Combine(dir, ".erlang.cookie");
        File.WriteAllText(cookie, Guid.NewGuid().ToString("N"));
        File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        Port = LoopbackServers.FreePort();
        DistPort = LoopbackServers.FreePort();
    }

    public int Port { get; }
    private int DistPort { get; }
    public string Uri => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public static bool Installed => File.Exists(Server);

    public async Task StartAsync()
    {
        // setsid: the script, beam and its helpers share one process group, so Stop reaches all of them.
        var psi = new ProcessStartInfo("setsid") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Server);
        var env = new Dictionary<string, string>
        {
            ["HOME"] = _dir, ["RABBITMQ_NODENAME"] = _node, ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(), ["RABBITMQ_DIST_PORT"] = DistPort.ToString(),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(_dir, "mnesia"), ["RABBITMQ_LOG_BASE"] = Path.Combine(_dir, "log"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_dir, "enabled_plugins"), ["RABBITMQ_PID_FILE"] = Path.Combine(_dir, "pid"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(_dir, "rabbitmq"), ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(_dir, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(_dir, "rabbitmq-env.conf"),
        };
        foreach (var (k, v) in env) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _ = _process.StandardOutput.ReadToEndAsync();
        _ = _process.StandardError.ReadToEndAsync();
        await LoopbackServers.WaitUntilAsync(() => LoopbackServers.Listening(Port) || _process.HasExited, "rabbitmq-server", TimeSpan.FromSeconds(60), Log);
        if (_process.HasExited) throw new InvalidOperationException($"rabbitmq-server exited {_process.ExitCode}: {Log()}");
    }

    /// <summary>Stops the node (SIGTERM to its process group, or SIGKILL: a crash) and waits until it is gone.</summary>
    public async Task StopAsync(bool crash = false)
    {
        if (_process is null) return;
        Signal(crash ? "KILL" : "TERM");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await _process.WaitForExitAsync(cts.Token); } catch (OperationCanceledException) { Signal("KILL"); }
        await LoopbackServers.WaitUntilAsync(() => !LoopbackServers.Listening(Port), "rabbitmq-server stop", TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    private void Signal(string signal)
    {
        if (_process is null) return;
        // bash's own kill (procps' /bin/kill is not on every minimal image); a negative pid is the whole process group.
        try { LoopbackServers.Run("bash", ["-c", $"kill -{signal} -- -{_process.Id}"]); } catch (InvalidOperationException) { /* already gone */ }
    }

    private string Log()
    {
        var log = Directory.Exists(Path.Combine(_dir, "log")) ? Directory.GetFiles(Path.Combine(_dir, "log"), "*.log").FirstOrDefault() : null;
        return log is null ? "(no log)" : string.Join('\n', File.ReadLines(log).TakeLast(20));
    }

    public void Dispose()
    {
        Signal("KILL");
        _process?.WaitForExit(10_000);
        _process?.Dispose();
    }
}
