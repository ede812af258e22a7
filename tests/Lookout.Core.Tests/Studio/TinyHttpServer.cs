using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lookout.Core.Tests.Studio;

/// <summary>
/// A loopback HTTP/1.1 server for URL-import tests: each path maps to a handler that writes a whole raw response
/// (so tests can send lying headers, redirects to forbidden addresses, endless or stalled bodies).
/// </summary>
internal sealed class TinyHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, Func<Stream, CancellationToken, Task>> _routes = new(StringComparer.Ordinal);
    private readonly Task _loop;

    public TinyHttpServer()
    {
        _listener.Start();
        _loop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";
    public int Requests;

    public TinyHttpServer Map(string path, Func<Stream, CancellationToken, Task> handler) { _routes[path] = handler; return this; }

    public TinyHttpServer Bytes(string path, byte[] body, string contentType = "application/octet-stream", long? claimedLength = null) =>
        Map(path, async (s, ct) =>
        {
            await Head(s, 200, $"Content-Type: {contentType}\r\nContent-Length: {claimedLength ?? body.Length}\r\n", ct);
            await s.WriteAsync(body, ct);
        });

    public TinyHttpServer Redirect(string path, string location) =>
        Map(path, (s, ct) => Head(s, 302, $"Location: {location}\r\nContent-Length: 0\r\n", ct));

    public static Task Head(Stream s, int status, string headers, CancellationToken ct) =>
        s.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nConnection: close\r\n{headers}\r\n"), ct).AsTask();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var stream = client.GetStream();
                        var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                        var requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                        while (!string.IsNullOrEmpty(await reader.ReadLineAsync(_stop.Token))) { }
                        Interlocked.Increment(ref Requests);
                        var path = requestLine.Split(' ') is [_, var p, ..] ? p : "/";
                        if (_routes.TryGetValue(path, out var handler)) await handler(stream, _stop.Token);
                        else await Head(stream, 404, "Content-Length: 0\r\n", _stop.Token);
                        await stream.FlushAsync(_stop.Token);
                    }
                    catch (Exception) { /* the client went away: fine for these tests */ }
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
    }
}
