using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Inference;
using Lookout.Core.IO;
using Lookout.Core.Pipelines.Export;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout export &lt;run&gt; &lt;out.onnx&gt; [--int8]</c>: copies a run's exported model (one ONNX file with preprocessing
/// and labels inside) to where it will be served or shipped, e.g. <c>models/appliances.onnx</c> for <c>serve --models models</c>.
/// With <c>--int8</c> the model is quantized on the workspace's validation images and kept int8 only when it is as
/// accurate (within a point on the test split) and faster here. A board bundle is <c>scripts/bundle-arm64.sh</c>.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var runArg = new Argument<string>("run") { Description = "Run id (e.g. train3) or run folder." };
        var outArg = new Argument<string>("out") { Description = "Destination .onnx file (written atomically, so a watching server never sees half a file)." };
        var int8 = new Option<bool>("--int8") { Description = "Quantize to int8 (calibrated on the validation images); kept only if it loses at most 1 accuracy point on the test split and is faster here." };
        var command = new Command("export", "Copy a run's model to a named ONNX file, optionally int8-quantized.") { runArg, outArg, int8 };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var dest = Path.GetFullPath(parse.GetValue(outArg)!);
            if (!dest.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) dest += ".onnx";
            if (parse.GetValue(int8))
            {
                var (run, workspace) = Locations.Run(parse, parse.GetValue(runArg)!);
                var r = await Int8ExportPipeline.RunAsync(new Int8ExportRequest(workspace, run, dest), new CliPipelineObserver(output, null), ct);
                using (ClassifierModel.Load(r.Path)) { } // proves the written file is a complete, loadable model
                if (output.Json)
                    output.WriteJson(new
                    {
                        model = r.Path, precision = r.Precision, reason = r.Decision.Reason, calibrationImages = r.CalibrationImages, testImages = r.TestImages,
                        fp32 = new { accuracy = r.Fp32.Accuracy, msPerImage = r.Fp32.MsPerImage, bytes = r.Fp32Bytes },
                        int8 = new { accuracy = r.Int8.Accuracy, msPerImage = r.Int8.MsPerImage, bytes = r.Int8Bytes },
                        accuracyChange = r.Int8.Accuracy - r.Fp32.Accuracy, speedup = r.Fp32.MsPerImage / r.Int8.MsPerImage,
                    });
                else
                {
                    output.Line($"fp32: accuracy {r.Fp32.Accuracy:P1}, {r.Fp32.MsPerImage:0.00} ms/image, {r.Fp32Bytes / 1024} KiB");
                    output.Line($"int8: accuracy {r.Int8.Accuracy:P1}, {r.Int8.MsPerImage:0.00} ms/image, {r.Int8Bytes / 1024} KiB (calibrated on {r.CalibrationImages} validation images, scored on {r.TestImages} test images, timed on this machine)");
                    output.Line($"exported {Spectre.Console.Markup.Escape(r.Path)} as [bold]{r.Precision}[/]: {Spectre.Console.Markup.Escape(r.Decision.Reason)}");
                }
                return ExitCodes.Ok;
            }
            var source = Locations.Model(parse, parse.GetValue(runArg)!);
            AtomicFile.WriteAllBytes(dest, File.ReadAllBytes(source));
            using var model = ClassifierModel.Load(dest); // proves the copy is a complete, loadable model
            if (output.Json) output.WriteJson(new { model = dest, labels = model.Labels, run = model.RunId, backbone = model.BackboneId });
            else output.Line($"exported {Spectre.Console.Markup.Escape(dest)} ({model.Labels.Count} classes, run {model.RunId})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
