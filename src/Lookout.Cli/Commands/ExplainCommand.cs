using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Pipelines.Explain;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout explain &lt;model&gt; &lt;image&gt; [--class X]</c>: a Grad-CAM overlay PNG showing which part of the
/// image drove the score of a class (the predicted one by default), via <see cref="ExplainPipeline"/>.
/// </summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var modelArg = new Argument<string>("model") { Description = "Exported model (.onnx) or a run id/folder." };
        var imageArg = new Argument<string>("image") { Description = "The image to explain." };
        var classOpt = new Option<string?>("--class", "-c") { Description = "Class to explain (default: the predicted one)." };
        var outOpt = new Option<string?>("--out", "-o") { Description = "Overlay PNG to write (default: <image>.gradcam.png beside the image)." };
        var command = new Command("explain", "Grad-CAM: which pixels made the model say what it said.") { modelArg, imageArg, classOpt, outOpt };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var request = new ExplainRequest(Locations.Model(parse, parse.GetValue(modelArg)!), parse.GetValue(imageArg)!)
                { Class = parse.GetValue(classOpt), OverlayPath = parse.GetValue(outOpt) };
            var r = await ExplainPipeline.RunAsync(request, new CliPipelineObserver(output, null), ct);
            if (output.Json)
                output.WriteJson(new { image = r.Image, @class = r.Class, score = r.Score, predicted = r.Predicted,
                    predictedScore = r.PredictedScore, overlay = r.Overlay, peak = new { x = r.PeakX, y = r.PeakY } });
            else output.Line($"{Markup.Escape(r.Class)} {r.Score:0.000} (predicted {Markup.Escape(r.Predicted)} {r.PredictedScore:0.000}); " +
                             $"hottest at ({r.PeakX},{r.PeakY}) of {r.Width}x{r.Height}; overlay {Markup.Escape(r.Overlay)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
