using Lookout.Core.IO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary>
/// Turns any exception from a handler into the route family's error body, so handlers stay free of try/catch.
/// Unexpected exceptions are logged here with their stack; the client only ever sees "internal error".
/// </summary>
internal sealed class ErrorFilter(ErrorStyle style, ILogger log) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // the client left; nobody reads an answer
        }
        catch (Exception e)
        {
            var error = ApiError.From(e);
            if (error.Status == StatusCodes.Status507InsufficientStorage) // the operator's to fix: which disk, no stack
                log.LogWarning("{Method} {Path}: {Reason}", context.HttpContext.Request.Method, context.HttpContext.Request.Path, DiskFull.Explain(e).Message);
            else if (error.Status >= 500 && e is not ServerOverloadedException)
                log.LogError(e, "{Method} {Path} failed", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            return ApiResults.Error(error, style);
        }
    }
}

internal static class ErrorFilterExtensions
{
    public static TBuilder WithErrors<TBuilder>(this TBuilder builder, ErrorStyle style, ILogger log)
        where TBuilder : Microsoft.AspNetCore.Builder.IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(new ErrorFilter(style, log));
        return builder;
    }
}
