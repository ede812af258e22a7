namespace Lookout.Server.Api;

/// <summary>
/// What one upload form may hold. Every limit has its own error (status and reason), so a client that trips one is
/// told which; the byte limits together keep the request's memory bounded by <see cref="MaxFileBytes"/> plus a
/// fixed overhead.
/// </summary>
public sealed record FormLimits
{
    /// <summary>Room for boundaries, part headers and text fields on top of the files: the whole body may be this much larger.</summary>
    public const long Overhead = 512 * 1024;

    /// <summary>All files of one request together.</summary>
    public long MaxFileBytes { get; init; } = 20L * 1024 * 1024;
    /// <summary>Files per request (DeepStack's face register takes image1..imageN).</summary>
    public int MaxFiles { get; init; } = 32;
    /// <summary>Text fields per request.</summary>
    public int MaxFields { get; init; } = 64;
    /// <summary>Bytes of one text field's value (field names count too).</summary>
    public int MaxValueBytes { get; init; } = 4096;
    /// <summary>Bytes of one part's headers (Content-Disposition, Content-Type...).</summary>
    public int MaxPartHeaderBytes { get; init; } = 16 * 1024;

    public long MaxBodyBytes => MaxFileBytes + Overhead;

    public static FormLimits For(long maxUploadBytes) => new() { MaxFileBytes = maxUploadBytes };
}
