using System.Net;
using System.Net.Sockets;
using System.Text;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Watch;

/// <summary>
/// A tiny HTTP MJPEG camera on loopback (multipart/x-mixed-replace, like cheap IP cameras). It can be taken down
/// (listener closed, every client cut) and brought back on the same port, to test reconnects.
/// </summary>
internal sealed class MjpegServer : IAsyncDisposable
{
    private readonly double _fps;
    private TcpListener? _listener;
    private CancellationTokenSource? _up;
    private Task? _accepting;

    public MjpegServer(double fps = 10)
    {
        _fps = fps;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/stream.mjpg";
    /// <summary>The JPEG every client gets next; swap it to change the scene.</summary>
    public byte[] Jpeg { get; set; } = [];
    public int Connections;

    public static byte[] Encode(RgbImage image) => FrameFitter.Encode(image, ".jpg[Q=90]");

    public void Start()
    {
        _up = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        var listener = _listener;
        var token = _up.Token;
        _accepting = Task.Run(async () =>
        {
            var clients = new List<Task>();
            try
            {
                while (!token.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(token);
                    Interlocked.Increment(ref Connections);
                    clients.Add(Serve(client, token));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
            await Task.WhenAll(clients);
        });
    }

    /// <summary>Takes the camera down: stops listening and cuts every open stream.</summary>
    public async Task StopAsync()
    {
        if (_up is null) return;
        await _up.CancelAsync();
        _listener!.Stop();
        await _accepting!;
        _up.Dispose();
        _up = null;
    }

    private async Task Serve(TcpClient client, CancellationToken token)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n"))
            {
                int n = await stream.ReadAsync(buffer, token);
                if (n == 0) return;
                request.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=frame\r\nConnection: close\r\nCache-Control: no-cache\r\n\r\n"), token);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / _fps));
            do
            {
                var jpeg = Jpeg;
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {jpeg.Length}\r\n\r\n"), token);
                await stream.WriteAsync(jpeg, token);
                await stream.WriteAsync("\r\n"u8.ToArray(), token);
            }
            while (await timer.WaitForNextTickAsync(token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
