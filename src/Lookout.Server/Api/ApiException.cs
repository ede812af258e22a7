using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Api;

/// <summary>A request failure with an HTTP status and a message safe to show the client.</summary>
public class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

public sealed class ModelNotFoundException(string name)
    : ApiException(StatusCodes.Status404NotFound, $"unknown model '{name}'");

/// <summary>The model's queue is full or the request waited too long: the client should retry later.</summary>
public sealed class ServerOverloadedException(string message, int retryAfterSeconds)
    : ApiException(StatusCodes.Status503ServiceUnavailable, message)
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
