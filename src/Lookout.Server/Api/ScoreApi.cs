using Lookout.Core;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Scoring;
using Lookout.Server.Vision;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lookout.Server.Api;

/// <summary>
/// <c>POST /v1/score</c>: detect in one image, count the recipe's things, answer points and a verdict (the /v1
/// envelope). Fields: <c>recipe</c> (a name: <c>recipes/&lt;name&gt;.yaml</c> in the workspace, or built-in
/// <c>home-office</c>) or <c>recipe_text</c> (the YAML itself, at most the form's 4096-byte field limit), <c>model</c>
/// (a detector; default the recipe's, else the server's). The upload goes through the same capped form reader,
/// cross-site guard and API key as every /v1 route.
/// </summary>
public static class ScoreApi
{
    public static IEndpointRouteBuilder MapScoreApi(this IEndpointRouteBuilder app, ILogger log)
    {
        app.MapPost("/v1/score", ScoreAsync).WithErrors(ErrorStyle.Envelope, log).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> ScoreAsync(HttpContext http, VisionService vision, ServerOptions options)
    {
        var request = await ImageRequest.ReadAsync(http.Request, options.MaxUploadBytes, http.RequestAborted);
        var recipe = ReadRecipe(request, options);
        var model = request.Field("model") ?? recipe.Model;
        var detector = vision.DetectorFor(model);
        Scorer scorer;
        try { scorer = new Scorer(recipe, detector.Labels, detector.Name); }
        catch (LookoutException e) { throw new ApiException(StatusCodes.Status400BadRequest, e.Message); }
        var outcome = await vision.DetectAsync(request.Bytes, new DetectorOptions { MinScore = recipe.MinScore, Classes = scorer.Classes, ClassAgnosticNms = Scorer.ClassAgnosticNms }, annotate: false, http.RequestAborted, model);
        ServerTiming.Write(http, outcome.DecodeTime, outcome.InferenceTime);
        var score = scorer.Score(outcome.Detections);
        return ApiResults.Success(new ScoreAnswer(recipe.Name, detector.Name, score.Total, score.Verdict,
            score.Lines.Select(l => new ScoreLineAnswer(l.Thing, l.Labels, l.Found, l.Counted, l.Each, l.Points)).ToList(),
            outcome.Detections.Select(d => new DetectedObject(d.Label, d.Score, BoxJson.Of(d.Box))).ToList()));
    }

    private static ScoreRecipe ReadRecipe(ImageRequest request, ServerOptions options)
    {
        var name = request.Field("recipe");
        var text = request.Field("recipe_text");
        if (name is not null && text is not null) throw new ApiException(StatusCodes.Status400BadRequest, "send either 'recipe' (a name) or 'recipe_text' (YAML), not both");
        try
        {
            if (text is not null) return ScoreRecipeParser.Parse(text, "recipe", "recipe_text");
            if (name is null) throw new ApiException(StatusCodes.Status400BadRequest, "a 'recipe' name (e.g. home-office) or 'recipe_text' (YAML) is needed");
            if (!RecipeLibrary.IsName(name)) throw new ApiException(StatusCodes.Status400BadRequest, "a recipe name is letters, digits, '-' and '_'");
            return RecipeLibrary.Find(name, new Workspace(options.Workspace).RecipesDir);
        }
        catch (RecipeNotFoundException e) { throw new ApiException(StatusCodes.Status404NotFound, e.Message); }
        catch (LookoutException e) { throw new ApiException(StatusCodes.Status400BadRequest, e.Message); }
    }
}

/// <summary>The /v1/score answer: recipe and detector used, total points, verdict, each line, and the counted detections.</summary>
public sealed record ScoreAnswer(string Recipe, string Model, double Total, string? Verdict, IReadOnlyList<ScoreLineAnswer> Lines, IReadOnlyList<DetectedObject> Detections);

/// <summary>One recipe line: the thing, the detector classes it counted, found and counted detections, points each and in all.</summary>
public sealed record ScoreLineAnswer(string Thing, IReadOnlyList<string> Labels, int Found, int Counted, double Each, double Points);
