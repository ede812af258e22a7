using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Server;
using Lookout.Server.Deployment;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout deploy nginx</c>: writes the nginx config for N serve replicas and says how to start them.</summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var d = new NginxReplicasConfig();
        var replicas = new Option<int>("--replicas") { Description = "How many lookout serve processes.", DefaultValueFactory = _ => d.Replicas };
        var basePort = new Option<int>("--base-port") { Description = "Replica i listens on base-port + i (loopback).", DefaultValueFactory = _ => d.BasePort };
        var listen = new Option<string>("--listen") { Description = "Where nginx listens (host:port).", DefaultValueFactory = _ => d.Listen };
        var models = new Option<string>("--models") { Description = "Models folder every replica serves (and watches: replace a model by writing a temp file and renaming it in).", Required = true };
        var drain = new Option<string>("--drain") { Description = "Each replica's drain period after SIGTERM.", DefaultValueFactory = _ => "5s" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the config to this file instead of stdout." };
        var nginx = new Command("nginx", "Print an nginx.conf that load-balances the API over N `lookout serve` replicas (passive health, retries of pure inference requests), and how to start them.")
            { replicas, basePort, listen, models, drain, output };
        CommandRunner.SetHandler(nginx, (parse, cli, _) =>
        {
            var config = d with { Replicas = parse.GetValue(replicas), BasePort = parse.GetValue(basePort), Listen = parse.GetValue(listen)! };
            var dir = Path.GetFullPath(parse.GetValue(models)!);
            if (!Directory.Exists(dir)) throw new Lookout.Core.LookoutException($"Models directory not found: {dir}");
            var drainPeriod = Durations.Parse(parse.GetValue(drain)!, "--drain");
            if (drainPeriod > ServerOptions.MaxDrainPeriod) throw new Lookout.Core.LookoutException($"--drain must be at most {ServerOptions.MaxDrainPeriod.TotalSeconds:0} s.");
            var text = config.Render();
            var commands = Enumerable.Range(0, config.Replicas).Select(i => config.ReplicaCommand(i, dir, drainPeriod)).ToList();
            var path = parse.GetValue(output);
            if (path is not null) Lookout.Core.IO.AtomicFile.WriteAllText(Path.GetFullPath(path), text);
            if (cli.Json) cli.WriteJson(new { config = path is null ? text : null, file = path is null ? null : Path.GetFullPath(path), replicas = commands });
            else if (path is null) Console.Out.Write(text);
            // Plain lines, not the console's wrapped markup: these are commands to copy.
            Console.Error.WriteLine("start the replicas (each in its own service or terminal), then nginx:");
            foreach (var c in commands) Console.Error.WriteLine("  " + c);
            Console.Error.WriteLine($"  mkdir -p DIR/tmp && nginx -p DIR -c {(path is null ? "DIR/nginx.conf" : Path.GetFullPath(path))} -e DIR/error.log");
            Console.Error.WriteLine("probe each replica's /healthz/ready on its own port (503 while draining or before a model loads).");
            return Task.FromResult(ExitCodes.Ok);
        });
        return new Command("deploy", "Configuration for running Lookout in production (nginx in front of serve replicas).") { nginx };
    }
}
