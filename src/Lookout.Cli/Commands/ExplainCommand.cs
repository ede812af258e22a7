using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Evaluation.Explain;
using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Models.Onnx;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout explain &lt;model&gt; &lt;image&gt; [--class X]</c>: a Grad-CAM overlay PNG showing which part of the
/// image drove the score of a class (the predicted one by default) — the "why is a goat Mila?" question.
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
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var modelPath = Locations.Model(parse, parse.GetValue(modelArg)!);
            var imagePath = parse.GetValue(imageArg)!;
            using var classifier = ClassifierModel.Load(modelPath);
            var image = ImageLoader.Load(imagePath, classifier.Spec);
            var probs = classifier.Probabilities([image])[0];
            var predicted = Prediction.Rank(classifier.Labels, probs, 1)[0];
            var target = parse.GetValue(classOpt) ?? predicted.Label;
            int index = classifier.Labels.ToList().IndexOf(target);
            if (index < 0) throw new LookoutException($"unknown class '{target}'; the model knows: {string.Join(", ", classifier.Labels)}");

            var map = GradCam.Compute(OnnxReader.Load(modelPath), image, index);
            var outPath = Path.GetFullPath(parse.GetValue(outOpt) ?? Path.ChangeExtension(imagePath, ".gradcam.png"));
            HeatmapOverlay.SavePng(image, map, outPath);
            var (px, py) = map.Peak();
            var result = new { image = Path.GetFullPath(imagePath), @class = target, score = probs[index], predicted = predicted.Label,
                predictedScore = predicted.Score, overlay = outPath, peak = new { x = px, y = py } };
            if (output.Json) output.WriteJson(result);
            else output.Line($"{Markup.Escape(target)} {probs[index]:0.000} (predicted {Markup.Escape(predicted.Label)} {predicted.Score:0.000}); " +
                             $"hottest at ({px},{py}) of {image.Width}x{image.Height}; overlay {Markup.Escape(outPath)}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
