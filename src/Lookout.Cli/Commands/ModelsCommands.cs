using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Catalog;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout models list|path &lt;name&gt;</c>: the pretrained models, their source and licence.</summary>
public static class ModelsCommands
{
    public static Command Create()
    {
        var models = new Command("models", "Pretrained models: list them, or convert one and print its ONNX path.");

        var list = new Command("list", "Name, task, input size, source, licence, converted or not.");
        CommandRunner.SetHandler(list, (parse, output, _) =>
        {
            var statuses = ModelCatalog.Default().List();
            if (output.Json)
            {
                output.WriteJson(statuses.Select(s => new
                {
                    name = s.Entry.Name, task = s.Entry.Task.ToString(), input = $"{s.Entry.Preprocess.Width}x{s.Entry.Preprocess.Height}",
                    source = s.Entry.SourceUrl, licence = s.Entry.Licence.Name, licenceClean = s.Entry.Licence.Clean,
                    licenceNote = s.Entry.Licence.Text, isDefaultBackbone = s.Entry.Name == BackboneResolver.DefaultName,
                    converted = s.Converted, path = s.Path,
                }));
                return Task.FromResult(ExitCodes.Ok);
            }
            var table = new Table().AddColumns("name", "task", "input", "licence", "converted", "source");
            foreach (var s in statuses)
            {
                var name = Markup.Escape(s.Entry.Name) + (s.Entry.Name == BackboneResolver.DefaultName ? " [green](default)[/]" : "");
                var licence = s.Entry.Licence.Clean ? Markup.Escape(s.Entry.Licence.Name) : $"[yellow]{Markup.Escape(s.Entry.Licence.Name)} (not licence-clean)[/]";
                table.AddRow(name, s.Entry.Task.ToString(), $"{s.Entry.Preprocess.Width}x{s.Entry.Preprocess.Height}", licence,
                    s.Converted ? "yes" : "no", Markup.Escape(s.Entry.SourceUrl));
            }
            output.Render(table);
            return Task.FromResult(ExitCodes.Ok);
        });

        var nameArg = new Argument<string>("name") { Description = "Model name from 'lookout models list'." };
        var path = new Command("path", "Convert the model if needed and print its ONNX file path.") { nameArg };
        CommandRunner.SetHandler(path, (parse, output, _) =>
        {
            var catalog = ModelCatalog.Default();
            var name = parse.GetValue(nameArg)!;
            var entry = ModelCatalog.Get(name);
            if (!entry.Licence.Clean) output.Warn($"{entry.Name}: {entry.Licence.Text}");
            var file = catalog.GetPath(name);
            if (output.Json) output.WriteJson(new { name = entry.Name, path = file });
            else Console.Out.WriteLine(file);
            return Task.FromResult(ExitCodes.Ok);
        });

        var fileArg = new Argument<string>("file") { Description = "An exported model (.onnx)." };
        var info = new Command("info", "What an exported model file is: classes, run, backbone, precision (fp32 or int8) and the int8 decision.") { fileArg };
        CommandRunner.SetHandler(info, (parse, output, _) =>
        {
            var file = Locations.Model(parse, parse.GetValue(fileArg)!);
            var meta = Lookout.Core.Models.Onnx.OnnxReader.ReadMetadata(file);
            string? Get(string key) => meta.TryGetValue(key, out var v) ? v : null;
            var precision = Get(Lookout.Core.Models.ModelMetadata.Precision) ?? "fp32";
            var quantization = Get(Lookout.Core.Models.ModelMetadata.Quantization);
            if (output.Json)
                output.WriteJson(new
                {
                    path = file, precision, run = Get(Lookout.Core.Models.ModelMetadata.Run), backbone = Get(Lookout.Core.Models.ModelMetadata.Backbone),
                    labels = Get(Lookout.Core.Models.ModelMetadata.Labels) is { } l ? System.Text.Json.JsonSerializer.Deserialize<string[]>(l) : null,
                    quantization = quantization is null ? (System.Text.Json.JsonElement?)null : System.Text.Json.JsonDocument.Parse(quantization).RootElement,
                    bytes = new FileInfo(file).Length,
                });
            else
            {
                output.Line($"{Markup.Escape(file)}: [bold]{precision}[/], run {Markup.Escape(Get(Lookout.Core.Models.ModelMetadata.Run) ?? "-")}, backbone {Markup.Escape(Get(Lookout.Core.Models.ModelMetadata.Backbone) ?? "-")}, {new FileInfo(file).Length / 1024} KiB");
                if (quantization is not null) output.Line(Markup.Escape(quantization));
            }
            return Task.FromResult(ExitCodes.Ok);
        });

        models.Subcommands.Add(list);
        models.Subcommands.Add(path);
        models.Subcommands.Add(info);
        return models;
    }
}
