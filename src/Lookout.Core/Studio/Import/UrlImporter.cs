using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace Lookout.Core.Studio.Import;

public enum UrlStatus { Added, Duplicate, Refused, Failed }

/// <summary>One line of a URL import's report.</summary>
public sealed record UrlResult(string Url, UrlStatus Status, string? Reason, IReadOnlyList<long> Ids);

/// <summary>Limits of a URL import; defaults in one place.</summary>
public sealed record UrlImportOptions
{
    public int MaxUrls { get; init; } = 1000;
    public int MaxRedirects { get; init; } = 5;
    public long MaxBytes { get; init; } = 20L * 1024 * 1024;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public int Parallel { get; init; } = 4;
    public IReadOnlyList<string> AllowedRanges { get; init; } = [];
}

/// <summary>
/// Fetches a list of image URLs into a project, safe against server-side request forgery: http(s) only; the host is
/// resolved by Lookout and EVERY address it resolves to must pass <see cref="AddressPolicy"/>, and the connection goes
/// to a checked address (no second lookup a DNS rebinding could change); redirects are followed by hand and each
/// target checked the same way; no proxy; size and time limits; the bytes are sniffed, never trusted from the
/// extension or Content-Type, and go through the upload path (decode check, duplicates, content-hash names).
/// </summary>
public sealed class UrlImporter : IDisposable
{
    private readonly HttpClient _http;
    private readonly AddressPolicy _policy;
    private readonly UrlImportOptions _options;

    public UrlImporter(UrlImportOptions options)
    {
        _options = options;
        _policy = new AddressPolicy(options.AllowedRanges);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = ConnectCheckedAsync,
        };
        _http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Lookout", "0.1"));
        _http.DefaultRequestHeaders.Accept.ParseAdd("image/*");
    }

    public async Task<IReadOnlyList<UrlResult>> ImportAsync(IReadOnlyList<string> urls, UploadStore uploads, string? label, CancellationToken ct = default)
    {
        if (urls.Count > _options.MaxUrls) throw new StudioException($"at most {_options.MaxUrls} URLs per import");
        var results = new UrlResult[urls.Count];
        await System.Threading.Tasks.Parallel.ForAsync(0, urls.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.Parallel, CancellationToken = ct },
            async (i, token) => results[i] = await ImportOneAsync(urls[i].Trim(), uploads, label, token).ConfigureAwait(false)).ConfigureAwait(false);
        return results;
    }

    private async Task<UrlResult> ImportOneAsync(string url, UploadStore uploads, string? label, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return new(url, UrlStatus.Refused, "not an absolute URL", []);
            for (int hop = 0; ; hop++)
            {
                if (uri.Scheme is not ("http" or "https")) return new(url, UrlStatus.Refused, $"scheme '{uri.Scheme}' is not http or https", []);
                if (uri.UserInfo.Length > 0) return new(url, UrlStatus.Refused, "credentials in URLs are not sent", []);
                if (await CheckHostAsync(uri.IdnHost, timeout.Token).ConfigureAwait(false) is { } refusal) return new(url, UrlStatus.Refused, refusal, []);
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= _options.MaxRedirects) return new(url, UrlStatus.Refused, $"more than {_options.MaxRedirects} redirects", []);
                    uri = new Uri(uri, location);
                    continue;
                }
                if (!response.IsSuccessStatusCode) return new(url, UrlStatus.Failed, $"HTTP {(int)response.StatusCode}", []);
                if (response.Content.Headers.ContentLength > _options.MaxBytes)
                    return new(url, UrlStatus.Refused, $"larger than the limit of {_options.MaxBytes / 1024 / 1024} MB", []);
                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                await using var capped = new CappedStream(body, _options.MaxBytes);
                var result = await uploads.AddAsync(capped, uri.AbsolutePath, label, imagesOnly: true, timeout.Token).ConfigureAwait(false);
                return result.Status switch
                {
                    UploadStatus.Added => new(url, UrlStatus.Added, null, result.Ids),
                    UploadStatus.Duplicate => new(url, UrlStatus.Duplicate, result.Reason, result.Ids),
                    _ => new(url, UrlStatus.Refused, result.Reason, []),
                };
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(url, UrlStatus.Failed, $"no complete answer within {_options.Timeout.TotalSeconds:0.#} s", []);
        }
        catch (StudioException e) { return new(url, UrlStatus.Refused, e.Message, []); }
        catch (HttpRequestException e) when (e.InnerException is RefusedAddressException r) { return new(url, UrlStatus.Refused, r.Message, []); }
        catch (HttpRequestException e) { return new(url, UrlStatus.Failed, e.HttpRequestError == HttpRequestError.NameResolutionError ? "host not found" : "could not connect or read", []); }
        catch (IOException) { return new(url, UrlStatus.Failed, "connection lost while reading", []); }
    }

    /// <summary>Null when every address of the host may be reached; else why not.</summary>
    private async Task<string?> CheckHostAsync(string host, CancellationToken ct)
    {
        IPAddress[] addresses;
        try { addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false); }
        catch (SocketException) { return null; } // the connect step reports "host not found"
        foreach (var a in addresses)
            if (_policy.Refusal(a) is { } why) return $"refused: {host} resolves to {why}";
        return null;
    }

    /// <summary>Resolves again at connect time, checks every address, and connects to a checked one only.</summary>
    private async ValueTask<Stream> ConnectCheckedAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        foreach (var a in addresses)
            if (_policy.Refusal(a) is { } why) throw new RefusedAddressException($"refused: {host} resolves to {why}");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    private sealed class RefusedAddressException(string message) : IOException(message);

    /// <summary>Stops reading with a refusal once more than the limit arrived (a body without or with a lying Content-Length).</summary>
    private sealed class CappedStream(Stream inner, long max) : Stream
    {
        private long _read;
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            int n = await inner.ReadAsync(buffer, ct).ConfigureAwait(false);
            _read += n;
            if (_read > max) throw new StudioException($"larger than the limit of {max / 1024 / 1024} MB", StudioProblem.TooLarge);
            return n;
        }
        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
