using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Lookout.Server.Api;

/// <summary>A file part of a form: its field name and its bytes (never trusted by name or Content-Type).</summary>
public sealed record UploadedFile(string Name, byte[] Bytes);

/// <summary>
/// A request's form (multipart/form-data or application/x-www-form-urlencoded), read once with Lookout's own
/// <see cref="FormLimits"/> so every failure is a 4xx that names its cause: a wrong or missing boundary, a body that
/// ends early, too many fields or files, an over-long value, an upload over the size limit. The parsed form is kept
/// on the request, so the API-key check (DeepStack clients put <c>api_key</c> in the form) and the handler share it.
/// </summary>
public sealed partial class UploadForm
{
    /// <summary>RFC 2046: a boundary is at most 70 characters.</summary>
    private const int MaxBoundaryLength = 70;

    private readonly Dictionary<string, string> _fields;

    private UploadForm(IReadOnlyList<UploadedFile> files, Dictionary<string, string> fields, bool isUrlEncoded)
    {
        Files = files;
        _fields = fields;
        IsUrlEncoded = isUrlEncoded;
    }

    public IReadOnlyList<UploadedFile> Files { get; }
    /// <summary>An urlencoded form cannot carry files; callers say so instead of a bare "no image".</summary>
    public bool IsUrlEncoded { get; }

    /// <summary>A text field's value (the first one when a name repeats, as DeepStack reads it), or null when absent or empty.</summary>
    public string? Field(string name) => _fields.TryGetValue(name, out var v) && v.Length > 0 ? v : null;

    /// <summary>True for the content types this reader handles (what <see cref="HttpRequest.HasFormContentType"/> accepts).</summary>
    public static bool IsForm(HttpRequest request) => request.HasFormContentType;

    /// <summary>Reads the form, or returns the one already read for this request.</summary>
    public static async Task<UploadForm> ReadAsync(HttpRequest request, FormLimits limits, CancellationToken ct)
    {
        if (request.HttpContext.Features.Get<UploadForm>() is { } cached) return cached;
        LimitBody(request, limits.MaxBodyBytes);
        if (request.ContentLength > limits.MaxBodyBytes) throw TooLarge(limits.MaxFileBytes);
        var contentType = MediaTypeHeaderValue.Parse(request.ContentType);
        try
        {
            var form = contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                ? await ReadMultipartAsync(request.Body, Boundary(contentType), limits, ct)
                : await ReadUrlEncodedAsync(request.Body, limits, ct);
            request.HttpContext.Features.Set(form);
            return form;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limits.MaxFileBytes); // Kestrel's own body limit
        }
        catch (BadHttpRequestException e)
        {
            throw Bad($"the request body could not be read ({e.Message.TrimEnd('.')})");
        }
        catch (IOException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct); // the client left
        }
    }

    /// <summary>Raises (or lowers) Kestrel's body limit for this request before anything is read.</summary>
    internal static void LimitBody(HttpRequest request, long maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
    }

    private static string Boundary(MediaTypeHeaderValue contentType)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary);
        if (StringSegment.IsNullOrEmpty(boundary))
            throw Bad("multipart/form-data without a boundary: Content-Type must name one (boundary=...)");
        if (boundary.Length > MaxBoundaryLength)
            throw Bad($"the multipart boundary is longer than {MaxBoundaryLength} characters");
        return boundary.Value!;
    }

    private static async Task<UploadForm> ReadMultipartAsync(Stream body, string boundary, FormLimits limits, CancellationToken ct)
    {
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = limits.MaxPartHeaderBytes, HeadersCountLimit = 16 };
        var files = new List<UploadedFile>();
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        int fieldCount = 0;
        long fileBytes = 0;
        bool started = false;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                started = true;
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw Bad("a multipart part has no 'Content-Disposition: form-data' header");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (IsFile(disposition, name))
                {
                    if (files.Count == limits.MaxFiles) throw TooMany($"too many files in the form: more than {limits.MaxFiles}");
                    var bytes = await ReadCappedAsync(section.Body, limits.MaxFileBytes - fileBytes, () => TooLarge(limits.MaxFileBytes), ct);
                    fileBytes += bytes.Length;
                    files.Add(new UploadedFile(name, bytes));
                }
                else
                {
                    if (fieldCount == limits.MaxFields) throw TooMany($"too many form fields: more than {limits.MaxFields}");
                    var value = await ReadCappedAsync(section.Body, limits.MaxValueBytes, () => ValueTooLong(name, limits), ct);
                    Add(fields, name, Encoding.UTF8.GetString(value), limits);
                    fieldCount++;
                }
            }
        }
        catch (IOException e) when (e is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            throw Bad(started
                ? "the multipart body ended before its closing boundary (truncated upload?)"
                : "the multipart body does not contain the boundary named in Content-Type");
        }
        catch (InvalidDataException e)
        {
            // Before the first part, the reader is still looking for the boundary: a wrong boundary ends here on a long body.
            throw Bad(started ? $"a malformed multipart part: {e.Message.TrimEnd('.')}" : "the multipart body does not contain the boundary named in Content-Type");
        }
        return new UploadForm(files, fields, isUrlEncoded: false);
    }

    private static async Task<UploadForm> ReadUrlEncodedAsync(Stream body, FormLimits limits, CancellationToken ct)
    {
        var bytes = await ReadCappedAsync(body, FormLimits.Overhead, () => TooMany($"the form is larger than {FormLimits.Overhead / 1024} KB"), ct);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        int count = 0;
        foreach (var pair in Encoding.UTF8.GetString(bytes).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            if (count == limits.MaxFields) throw TooMany($"too many form fields: more than {limits.MaxFields}");
            int eq = pair.IndexOf('=');
            var name = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            if (Encoding.UTF8.GetByteCount(value) > limits.MaxValueBytes) throw ValueTooLong(name, limits);
            Add(fields, name, value, limits);
            count++;
        }
        return new UploadForm([], fields, isUrlEncoded: true);
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    private static void Add(Dictionary<string, string> fields, string name, string value, FormLimits limits)
    {
        if (Encoding.UTF8.GetByteCount(name) > limits.MaxValueBytes) throw TooMany($"a form field name is longer than {limits.MaxValueBytes} bytes");
        fields.TryAdd(name, value);
    }

    /// <summary>
    /// A part is a file when it has a file name, or when it is sent under an image field name without one (some HTTP
    /// libraries omit the file name; reading such a part as a 4 KB text field would misreport it as "too long").
    /// </summary>
    private static bool IsFile(ContentDispositionHeaderValue disposition, string name) =>
        disposition.FileName.HasValue || disposition.FileNameStar.HasValue || ImageFieldName().IsMatch(name);

    [GeneratedRegex("^(file|image[0-9]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImageFieldName();

    private static async Task<byte[]> ReadCappedAsync(Stream stream, long maxBytes, Func<ApiException> overflow, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw overflow();
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static ApiException Bad(string message) => new(StatusCodes.Status400BadRequest, message);

    /// <summary>Every server limit answers 413 (content larger than the server will process) with the limit that was hit.</summary>
    private static ApiException TooMany(string message) => new(StatusCodes.Status413PayloadTooLarge, message);

    private static ApiException ValueTooLong(string name, FormLimits limits) =>
        TooMany($"form field '{Printable(name)}' is longer than {limits.MaxValueBytes} bytes");

    internal static ApiException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"upload larger than the limit of {maxBytes / 1024.0 / 1024.0:0.#} MB");

    /// <summary>Field names go back to the client in messages: keep them short and free of control characters.</summary>
    private static string Printable(string name)
    {
        var clean = new string(name.Where(c => !char.IsControl(c)).Take(40).ToArray());
        return clean.Length < name.Length ? clean + "…" : clean;
    }
}
