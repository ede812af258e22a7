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
// SIGTERM/Ctrl+C cancel the token; the process is forced down only if a command ignores that for this long. Longer than
// System.CommandLine's 2 s default so `serve --drain` can keep answering for its whole drain period (at most 60 s).
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = Lookout.Server.ServerOptions.MaxDrainPeriod + TimeSpan.FromSeconds(30) };
return await parse.InvokeAsync(invocation, cts.Token);
