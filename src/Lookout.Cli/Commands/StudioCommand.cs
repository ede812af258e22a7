using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Server;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout studio [projects-dir]</c>: the browser studio (collect and label) at /studio, with the rest of the server.
/// Loopback only unless an API key is given; a project is <c>&lt;dir&gt;/&lt;name&gt;/data</c>, which <c>lookout train</c> reads.
/// </summary>
public static class StudioCommand
{
    public static Command Create()
    {
        var d = new ServerOptions();
        var dir = new Argument<string>("projects") { Description = "Folder holding the studio's projects (created if missing).", DefaultValueFactory = _ => "projects" };
        var urls = new Option<string>("--urls") { Description = "Where to listen. Loopback by default; any other address needs --api-key-file.", DefaultValueFactory = _ => d.Urls };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File whose first line is the API key; the browser asks for it once (session cookie)." };
        var models = new Option<string?>("--models") { Description = "Folder of exported models to serve beside the studio (optional)." };
        var allow = new Option<string[]>("--import-allow") { Description = "Address range (CIDR) URL imports may reach besides public addresses, e.g. a NAS at 192.168.1.0/24 (repeatable)." };
        var command = new Command("studio", "Collect and label examples in the browser: upload, camera, URL lists, AI suggestions, active learning, walk-through videos.")
            { dir, urls, apiKeyFile, models, allow };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir)!);
            var options = d with
            {
                StudioDirectory = root,
                ModelsDirectory = parse.GetValue(models) is { } m ? Path.GetFullPath(m) : null,
                Urls = parse.GetValue(urls)!,
                ApiKeyFile = parse.GetValue(apiKeyFile),
                ImportAllowedRanges = parse.GetValue(allow) ?? [],
                Workspace = Path.Combine(root, Lookout.Core.Workspace.DefaultFolderName),
            };
            options.Validate();
            output.Note($"studio: {options.Urls.Split(';')[0].TrimEnd('/')}/studio  (projects in {root}; Ctrl+C to stop)");
            await LookoutServer.RunAsync(options, ct: ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}
