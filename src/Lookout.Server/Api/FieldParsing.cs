using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Api;

/// <summary>Form / query values shared by several routes, parsed invariantly with a 400 naming the field.</summary>
internal static class FieldParsing
{
    /// <summary>A number in [0,1], or null when the field was not sent.</summary>
    public static float? Probability(string? value, string name)
    {
        if (value is null) return null;
        if (!float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v is < 0f or > 1f || float.IsNaN(v))
            throw new ApiException(StatusCodes.Status400BadRequest, $"{name} must be a number between 0 and 1");
        return v;
    }

    /// <summary>A non-negative number, or null when the field was not sent.</summary>
    public static double? OptionalDouble(string? value, string name)
    {
        if (value is null) return null;
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v) || v < 0)
            throw new ApiException(StatusCodes.Status400BadRequest, $"{name} must be a non-negative number");
        return v;
    }

    /// <summary>true/1/yes or false/0/no (absent = false).</summary>
    public static bool Flag(string? value, string name) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        _ => throw new ApiException(StatusCodes.Status400BadRequest, $"{name} must be true or false"),
    };
}
