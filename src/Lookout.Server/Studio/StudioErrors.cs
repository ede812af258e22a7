using Lookout.Core.Studio;
using Microsoft.AspNetCore.Http;

namespace Lookout.Server.Studio;

internal static class StudioErrors
{
    public static int StatusFor(StudioProblem problem) => problem switch
    {
        StudioProblem.NotFound => StatusCodes.Status404NotFound,
        StudioProblem.Conflict => StatusCodes.Status409Conflict,
        StudioProblem.TooLarge => StatusCodes.Status413PayloadTooLarge,
        StudioProblem.Unsupported => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    };
}
