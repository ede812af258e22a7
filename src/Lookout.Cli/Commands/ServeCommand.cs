using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Server;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout serve</c>: the HTTP API, the web page and the DeepStack-compatible routes over exported models.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var d = new ServerOptions();
        var models = new Option<string?>("--models") { Description = "Folder of exported models (name.onnx is served as 'name'); watched for changes. Default: the workspace's models/ folder." };
        var model = new Option<string[]>("--model", "-m") { Description = "An exported model file or run id to serve (repeatable).", AllowMultipleArgumentsPerToken = false };
        var urls = new Option<string>("--urls") { Description = "Where to listen (loopback by default).", DefaultValueFactory = _ => d.Urls };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File whose first line is the API key clients must send (X-Api-Key, Bearer, or the DeepStack form field api_key)." };
        var cors = new Option<string[]>("--cors") { Description = "Origins whose web pages may call the API (CORS and the cross-site check; closed by default)." };
        var maxBatch = new Option<int>("--max-batch") { Description = "Most requests coalesced into one forward pass (1 = no batching).", DefaultValueFactory = _ => d.MaxBatchSize };
        var maxWait = new Option<int>("--max-wait-ms") { Description = "How long a request may wait for others to batch with (0 = never: batches form from requests already waiting).", DefaultValueFactory = _ => (int)d.MaxBatchWait.TotalMilliseconds };
        var workers = new Option<int>("--inference-workers")
        {
            Description = "Forward passes of a model that run at once, each on cores/workers threads (0 = one per core: best under load; 1 = one pass using every core: fastest for a lone request).",
            DefaultValueFactory = _ => d.InferenceWorkers,
        };
        var queue = new Option<int>("--queue") { Description = "Requests queued per model before answering 503.", DefaultValueFactory = _ => d.QueueCapacity };
        var drain = new Option<string>("--drain") { Description = "On SIGTERM/Ctrl+C, answer 503 on /healthz/ready but keep serving this long before stopping (e.g. 5s; for replicas behind a load balancer).", DefaultValueFactory = _ => "0s" };
        var command = new Command("serve", "Serve exported models over HTTP: /v1/classify, /v1/detect, DeepStack routes (faces from --workspace), a web page at /, /metrics.")
            { models, model, urls, apiKeyFile, cors, maxBatch, maxWait, workers, queue, drain };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var files = (parse.GetValue(model) ?? []).Select(m => Locations.Model(parse, m)).ToList();
            var workspace = new Lookout.Core.Workspace(parse.GetValue(GlobalOptions.Workspace) ?? d.Workspace);
            // No models named: serve the workspace's models/ folder (watched), so detection and faces work out of the
            // box and 'lookout export <run> .lookout/models/name.onnx' publishes a model to a running server.
            var dir = parse.GetValue(models) ?? (files.Count == 0 ? workspace.EnsureCreated().ModelsDir : null);
            var options = d with
            {
                ModelsDirectory = dir is null ? null : Path.GetFullPath(dir),
                ModelFiles = files,
                Urls = parse.GetValue(urls)!,
                ApiKeyFile = parse.GetValue(apiKeyFile),
                CorsOrigins = parse.GetValue(cors) ?? [],
                MaxBatchSize = parse.GetValue(maxBatch),
                MaxBatchWait = TimeSpan.FromMilliseconds(parse.GetValue(maxWait)),
                InferenceWorkers = parse.GetValue(workers),
                QueueCapacity = parse.GetValue(queue),
                DrainPeriod = Durations.Parse(parse.GetValue(drain)!, "--drain"),
                // The face routes use this workspace's gallery (the one `lookout faces enroll` fills).
                Workspace = workspace.Root,
            };
            options.Validate(); // throws a LookoutException with a user-facing message (it returns the API key: never print it)
            output.Note($"serving on {options.Urls} (Ctrl+C to stop)");
            await LookoutServer.RunAsync(options, ct: ct);
            return ExitCodes.Ok;
        });
        return command;
    }
}
