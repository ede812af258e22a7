using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Lookout.Server.Api;

/// <summary>
/// An image posted as a multipart field (<c>file</c> or <c>image</c>, else the first file) or as the raw body,
/// plus the form and query fields that came with it. Sizes are capped while reading, before anything is buffered
/// beyond the limit; the bytes are sniffed later by the decoder, never trusted by extension or Content-Type.
/// </summary>
public sealed class ImageRequest
{
    /// <summary>Room for multipart boundaries and small text fields on top of the image itself.</summary>
    private const long FormOverhead = 64 * 1024;
    private static readonly string[] FileFields = ["file", "image"];

    private readonly IFormCollection? _form;
    private readonly IQueryCollection _query;

    private ImageRequest(byte[] bytes, IFormCollection? form, IQueryCollection query)
    {
        Bytes = bytes;
        _form = form;
        _query = query;
    }

    public byte[] Bytes { get; }

    /// <summary>A text field from the form, else from the query string.</summary>
    public string? Field(string name)
    {
        if (_form is not null && _form.TryGetValue(name, out StringValues v) && !StringValues.IsNullOrEmpty(v)) return v.ToString();
        return _query.TryGetValue(name, out var q) && !StringValues.IsNullOrEmpty(q) ? q.ToString() : null;
    }

    public static async Task<ImageRequest> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        long maxBody = maxBytes + FormOverhead;
        if (request.ContentLength > maxBody) throw TooLarge(maxBytes);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBody;

        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(new FormOptions
                {
                    MultipartBodyLengthLimit = maxBody,
                    ValueLengthLimit = 4096,
                    ValueCountLimit = 64,
                    MultipartHeadersLengthLimit = 16 * 1024,
                }, ct);
                var file = FileFields.Select(f => form.Files.GetFile(f)).FirstOrDefault(f => f is not null) ?? form.Files.FirstOrDefault();
                if (file is null || file.Length == 0) throw NoImage();
                if (file.Length > maxBytes) throw TooLarge(maxBytes);
                var bytes = new byte[file.Length];
                await using (var s = file.OpenReadStream()) await s.ReadExactlyAsync(bytes, ct);
                return new ImageRequest(bytes, form, request.Query);
            }
            var body = await ReadCappedAsync(request.Body, maxBytes, ct);
            if (body.Length == 0) throw NoImage();
            return new ImageRequest(body, null, request.Query);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge(maxBytes); // multipart limits exceeded
        }
        catch (InvalidDataException)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "malformed multipart form");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes); // Kestrel's own body limit
        }
    }

    private static async Task<byte[]> ReadCappedAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static ApiException NoImage() =>
        new(StatusCodes.Status400BadRequest, "no image in the request (send multipart field 'file' or 'image', or the image as the body)");

    private static ApiException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, $"upload larger than the limit of {maxBytes / 1024.0 / 1024.0:0.#} MB");
}
