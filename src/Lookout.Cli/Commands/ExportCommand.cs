using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Inference;
using Lookout.Core.IO;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout export &lt;run&gt; &lt;out.onnx&gt;</c>: copies a run's exported model (one ONNX file with preprocessing
/// and labels inside) to where it will be served or shipped, e.g. <c>models/appliances.onnx</c> for <c>serve --models models</c>.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var runArg = new Argument<string>("run") { Description = "Run id (e.g. train3) or run folder." };
        var outArg = new Argument<string>("out") { Description = "Destination .onnx file (written atomically, so a watching server never sees half a file)." };
        var command = new Command("export", "Copy a run's model to a named ONNX file.") { runArg, outArg };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var source = Locations.Model(parse, parse.GetValue(runArg)!);
            var dest = Path.GetFullPath(parse.GetValue(outArg)!);
            if (!dest.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) dest += ".onnx";
            AtomicFile.WriteAllBytes(dest, File.ReadAllBytes(source));
            using var model = ClassifierModel.Load(dest); // proves the copy is a complete, loadable model
            if (output.Json) output.WriteJson(new { model = dest, labels = model.Labels, run = model.RunId, backbone = model.BackboneId });
            else output.Line($"exported {Spectre.Console.Markup.Escape(dest)} ({model.Labels.Count} classes, run {model.RunId})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
