using System.CommandLine;
using Lookout.Cli.Commands;
using Lookout.Cli.Infrastructure;

var root = new RootCommand("Lookout: teach a computer to recognise what matters to you, from your own photos and videos, and run it on your own hardware.");
root.Options.Add(GlobalOptions.Json);
root.Options.Add(GlobalOptions.Workspace);
root.Options.Add(GlobalOptions.Quiet);
foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var parse = root.Parse(args);
return await parse.InvokeAsync(cancellationToken: cts.Token);
