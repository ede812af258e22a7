using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lookout.Core.Tests.Watch;

/// <summary>A real mosquitto broker on a free loopback port with a temp config; killed on dispose.</summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;

    private MosquittoBroker(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<MosquittoBroker> StartAsync()
    {
        var exe = new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("mosquitto is not installed (scripts/setup.sh installs it: apt-get install mosquitto)");
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var dir = Directory.CreateTempSubdirectory("lookout-mosquitto").FullName;
        var conf = Path.Combine(dir, "mosquitto.conf");
        File.WriteAllText(conf, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n");
        var psi = new ProcessStartInfo(exe, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var process = Process.Start(psi)!;
        var broker = new MosquittoBroker(process, dir, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (process.HasExited) break;
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return broker;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        var err = process.HasExited ? await process.StandardError.ReadToEndAsync() : "no answer";
        broker.Dispose();
        throw new InvalidOperationException($"mosquitto did not start on port {port}: {err}");
    }

    public void Dispose()
    {
        try { if (!_process.HasExited) _process.Kill(); _process.WaitForExit(3000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
