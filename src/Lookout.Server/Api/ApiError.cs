using Lookout.Core.IO;
using Lookout.Core.Imaging;
using Lookout.Server.Batching;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Api;

/// <summary>A failure as the client sees it: status, a message without paths or stack traces, optional Retry-After.</summary>
public sealed record ApiError(int Status, string Message, int? RetryAfterSeconds = null)
{
    /// <summary>Maps any exception to what the client is told; unknown ones become a bare 500.</summary>
    public static ApiError From(Exception e) => e switch
    {
        ServerOverloadedException o => new(o.Status, o.Message, o.RetryAfterSeconds),
        ApiException a => new(a.Status, a.Message),
        ImageDecodeException d => new(StatusFor(d.Problem), d.Reason),
        Lookout.Core.Studio.StudioException s => new(Studio.StudioErrors.StatusFor(s.Problem), s.Message),
        BadHttpRequestException b => new(b.StatusCode, b.StatusCode == 413 ? "upload too large" : "bad request"),
        InferenceFailedException => new(StatusCodes.Status500InternalServerError, "inference failed"),
        _ when DiskFull.Is(e) => new(StatusCodes.Status507InsufficientStorage, DiskFullMessage),
        _ => new(StatusCodes.Status500InternalServerError, "internal error"),
    };

    /// <summary>What a client is told when the server's disk is full (no server paths).</summary>
    public const string DiskFullMessage = "the server's disk is full: nothing was saved, and what was saved before is intact; free some space on the server and try again";

    public static int StatusFor(ImageProblem problem) => problem switch
    {
        ImageProblem.TooLarge or ImageProblem.TooManyPixels => StatusCodes.Status413PayloadTooLarge,
        ImageProblem.NotAnImage => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>Default message for a status produced outside a handler (unknown route, wrong method...).</summary>
    public static string MessageFor(int status) => status switch
    {
        400 => "bad request",
        401 => "missing or invalid API key",
        404 => "not found",
        405 => "method not allowed",
        413 => "upload too large",
        415 => "unsupported media type",
        503 => "service unavailable",
        507 => DiskFullMessage,
        _ => "error",
    };
}
