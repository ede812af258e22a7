using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Lookout.Server.Api;

/// <summary>
/// An image posted as a multipart field (<c>file</c> or <c>image</c>, else the only file) or as the raw body, plus
/// the form and query fields that came with it. The form is read by <see cref="UploadForm"/> (sizes capped while
/// reading, every malformed or over-limit form a clear 4xx); the bytes are sniffed later by the decoder, never
/// trusted by extension or Content-Type.
/// </summary>
public sealed class ImageRequest
{
    private static readonly string[] FileFields = ["file", "image"];

    private readonly UploadForm? _form;
    private readonly IQueryCollection _query;

    private ImageRequest(IReadOnlyList<byte[]> images, UploadForm? form, IQueryCollection query)
    {
        Images = images;
        _form = form;
        _query = query;
    }

    /// <summary>The image (the first one when several were posted).</summary>
    public byte[] Bytes => Images.Count > 0 ? Images[0] : throw NoImage();

    /// <summary>
    /// Every posted image: <c>file</c>/<c>image</c> first, then the other file fields in natural order (DeepStack's
    /// face register takes <c>image1..imageN</c>, Node-RED sends <c>image0..</c>). Empty only for <see cref="ReadFieldsAsync"/>.
    /// </summary>
    public IReadOnlyList<byte[]> Images { get; }

    /// <summary>A text field from the form, else from the query string.</summary>
    public string? Field(string name)
    {
        if (_form?.Field(name) is { } v) return v;
        return _query.TryGetValue(name, out var q) && !StringValues.IsNullOrEmpty(q) ? q.ToString() : null;
    }

    /// <summary>Exactly one image: a second file is refused rather than silently ignored.</summary>
    public static Task<ImageRequest> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct) =>
        ReadAsync(request, maxBytes, Expect.OneImage, ct);

    /// <summary>One or more images (face register); empty extra files are skipped.</summary>
    public static Task<ImageRequest> ReadImagesAsync(HttpRequest request, long maxBytes, CancellationToken ct) =>
        ReadAsync(request, maxBytes, Expect.Images, ct);

    /// <summary>Text fields only (form or query); any posted files are ignored. For routes that take no image.</summary>
    public static Task<ImageRequest> ReadFieldsAsync(HttpRequest request, long maxBytes, CancellationToken ct) =>
        ReadAsync(request, maxBytes, Expect.FieldsOnly, ct);

    private enum Expect { OneImage, Images, FieldsOnly }

    private static async Task<ImageRequest> ReadAsync(HttpRequest request, long maxBytes, Expect expect, CancellationToken ct)
    {
        if (UploadForm.IsForm(request))
        {
            var form = await UploadForm.ReadAsync(request, FormLimits.For(maxBytes), ct);
            return expect == Expect.FieldsOnly
                ? new ImageRequest([], form, request.Query)
                : new ImageRequest(ImagesOf(form, expect), form, request.Query);
        }
        if (expect == Expect.FieldsOnly) return new ImageRequest([], null, request.Query);
        if (IsJson(request.ContentType))
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType,
                "a JSON body is not an image: send the image as multipart/form-data (field 'image' or 'file') or as the raw body");
        UploadForm.LimitBody(request, maxBytes);
        if (request.ContentLength > maxBytes) throw UploadForm.TooLarge(maxBytes);
        var body = await ReadCappedAsync(request.Body, maxBytes, ct);
        if (body.Length == 0) throw NoImage();
        return new ImageRequest([body], null, request.Query);
    }

    private static List<byte[]> ImagesOf(UploadForm form, Expect expect)
    {
        var files = Ordered(form.Files);
        if (files.Count == 0)
            throw form.IsUrlEncoded
                ? new ApiException(StatusCodes.Status400BadRequest, "no image in the request: an urlencoded form cannot carry a file (send multipart/form-data with field 'image' or 'file')")
                : NoImage();
        if (expect == Expect.OneImage && files.Count > 1)
            throw new ApiException(StatusCodes.Status400BadRequest,
                $"one image per request: the form has {files.Count} files ({string.Join(", ", files.Take(5).Select(f => $"'{f.Name}'"))})");
        var images = files.Where(f => f.Bytes.Length > 0).Select(f => f.Bytes).ToList();
        if (images.Count == 0)
            throw new ApiException(StatusCodes.Status400BadRequest, files.Count == 1
                ? $"the uploaded image '{files[0].Name}' is empty (0 bytes)"
                : "every uploaded image is empty (0 bytes)");
        return images;
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mt)
        && (mt.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mt.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>file</c>, <c>image</c>, then the rest by name with numbers compared as numbers (image2 before image10).</summary>
    private static List<UploadedFile> Ordered(IReadOnlyList<UploadedFile> files) =>
        files.OrderBy(f => Array.FindIndex(FileFields, n => string.Equals(n, f.Name, StringComparison.OrdinalIgnoreCase)) is var i && i >= 0 ? i : FileFields.Length)
            .ThenBy(f => f.Name.TrimEnd("0123456789".ToCharArray()), StringComparer.OrdinalIgnoreCase)
            .ThenBy(f => int.TryParse(f.Name.AsSpan(f.Name.TrimEnd("0123456789".ToCharArray()).Length), out var n) ? n : 0)
            .ToList();

    private static async Task<byte[]> ReadCappedAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        try
        {
            while ((read = await body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > maxBytes) throw UploadForm.TooLarge(maxBytes);
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw UploadForm.TooLarge(maxBytes); // Kestrel's own body limit
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, $"the request body could not be read ({e.Message.TrimEnd('.')})");
        }
        return buffer.ToArray();
    }

    public static ApiException NoImage() =>
        new(StatusCodes.Status400BadRequest, "no image in the request (send multipart field 'file' or 'image', or the image as the body)");
}
