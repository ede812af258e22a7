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

        models.Subcommands.Add(list);
        models.Subcommands.Add(path);
        return models;
    }
}
