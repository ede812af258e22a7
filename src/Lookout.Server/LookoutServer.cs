using Lookout.Server.Api;
using Lookout.Server.Batching;
using Lookout.Server.Hosting;
using Lookout.Server.Inference;
using Lookout.Server.Metrics;
using Lookout.Server.Models;
using Lookout.Server.Vision;
using Lookout.Server.Studio;
using Lookout.Server.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lookout.Server;

/// <summary>
/// Builds and runs Lookout's HTTP server: a thin shell over the model registry and the classification service.
/// <c>lookout serve</c> calls <see cref="RunAsync"/>; tests call <see cref="BuildApp"/> and host it in-process.
/// </summary>
public static class LookoutServer
{
    /// <param name="loader">Null = exported Lookout classifiers via Core's ClassifierModel.</param>
    /// <param name="configure">Last say over the builder (tests swap in TestServer, the CLI sets logging).</param>
    public static WebApplication BuildApp(ServerOptions options, IImageModelLoader? loader = null, Action<WebApplicationBuilder>? configure = null)
    {
        // One micro-batch is one session call (the runner would otherwise split it at its own batch size).
        // Passes run side by side (one per worker), so each gets its share of the cores as ONNX Runtime threads.
        loader ??= new ClassifierModelLoader(new Core.Models.OnnxRunnerOptions
        {
            BatchSize = Math.Max(1, options.MaxBatchSize),
            IntraOpThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Math.Max(1, Environment.ProcessorCount / options.ResolvedInferenceWorkers),
        });
        var apiKey = options.Validate();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // Production always: no developer exception page, so no stack traces reach a client.
            EnvironmentName = Environments.Production,
            ApplicationName = typeof(LookoutServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = FormLimits.For(options.MaxUploadBytes).MaxBodyBytes;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(loader);
        builder.Services.AddSingleton<ServerMetrics>();
        builder.Services.AddSingleton<ServingState>();
        builder.Services.AddSingleton(sp => new ModelRegistry(loader,
            new BatchingOptions(options.MaxBatchSize, options.MaxBatchWait, options.QueueCapacity, options.RetryAfterSeconds, options.ResolvedInferenceWorkers),
            sp.GetRequiredService<ServerMetrics>(), sp.GetRequiredService<ILogger<ModelRegistry>>(), options.DefaultModel));
        builder.Services.AddSingleton<ClassificationService>();
        builder.Services.AddSingleton<VisionModels>();   // detector and face models open on first use, not here
        builder.Services.AddSingleton<VisionService>();
        builder.Services.AddHostedService<ModelHost>();
        builder.Services.AddLookoutOpenApi();
        if (options.StudioDirectory is not null)
        {
            builder.Services.AddSingleton<Studio.StudioHost>();
            builder.Services.AddSingleton<Studio.StudioSessions>();
            builder.Services.AddSingleton<Studio.Jobs.TrainJobRunner>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Studio.Jobs.TrainJobRunner>());
            builder.Services.AddHostedService<Studio.Jobs.ServingLoader>();
        }
        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins.Select(CrossSiteGuard.Normalize)])
                .WithMethods("GET", "POST").WithHeaders("Content-Type", "X-Api-Key", "Authorization")));
        configure?.Invoke(builder);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Lookout.Server");
        app.UseMiddleware<RequestMetricsMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = WriteErrorForStatus, SuppressDiagnosticsCallback = _ => false });
        app.UseStatusCodePages(new StatusCodePagesOptions { HandleAsync = ctx => WriteErrorForStatus(ctx.HttpContext) });
        app.UseRouting();
        if (options.CorsOrigins.Count > 0) app.UseCors();
        app.UseMiddleware<CrossSiteGuard>(options.CorsOrigins.Select(CrossSiteGuard.Normalize).ToHashSet(StringComparer.Ordinal));
        var sessions = app.Services.GetService<Studio.StudioSessions>();
        if (apiKey is not null)
        {
            if (sessions is null) app.UseMiddleware<ApiKeyMiddleware>(ApiKeyMiddleware.Digest(apiKey));
            else app.UseMiddleware<ApiKeyMiddleware>(ApiKeyMiddleware.Digest(apiKey), sessions);
        }

        app.MapClassifyApi(log);
        app.MapDetectApi(log);
        app.MapScoreApi(log);
        app.MapModelsApi(log);
        app.MapDeepStackApi(log);
        app.MapSystemApi();
        app.MapLookoutOpenApi();
        app.MapPage();
        if (options.StudioDirectory is not null)
        {
            var digest = apiKey is null ? null : ApiKeyMiddleware.Digest(apiKey);
            app.MapSessionApi(digest is null ? null : key => ApiKeyMiddleware.Matches(digest, key), log);
            app.MapStudioApi(log);
            app.MapStudioAssistApi(log);
            app.MapStudioTrainApi(log);
            app.MapStudioBoxApi(log);
            app.MapStudioDetectApi(log);
            app.MapStudioPage();
        }
        return app;
    }

    /// <summary>Serves until <paramref name="ct"/> is cancelled (Ctrl+C in the CLI), then drains and unloads.</summary>
    /// <remarks>
    /// The caller's token is the stop signal (the CLI cancels it on SIGTERM and Ctrl+C); the host's own signal handling
    /// is replaced so that a stop first drains: /healthz/ready answers 503 for <see cref="ServerOptions.DrainPeriod"/>
    /// while every request, new or in flight, is still served; then Kestrel closes the port and finishes what it holds.
    /// </remarks>
    public static async Task RunAsync(ServerOptions options, IImageModelLoader? loader = null, Action<WebApplicationBuilder>? configure = null, CancellationToken ct = default)
    {
        await using var app = BuildApp(options, loader, b =>
        {
            b.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
            configure?.Invoke(b);
        });
        await app.StartAsync(ct);
        try
        {
            var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping);
            try { await Task.Delay(Timeout.Infinite, either.Token); } catch (OperationCanceledException) { }
            if (!stopping.IsCancellationRequested && options.DrainPeriod > TimeSpan.Zero
                && app.Services.GetRequiredService<ServingState>().BeginDrain())
            {
                var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Lookout.Server");
                log.LogInformation("Draining for {Seconds:0.#} s: /healthz/ready now answers 503, requests are still served", options.DrainPeriod.TotalSeconds);
                await Task.Delay(options.DrainPeriod, CancellationToken.None);
            }
        }
        finally { await app.StopAsync(CancellationToken.None); }
    }

    /// <summary>The addresses Kestrel actually bound (useful with port 0).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Body for statuses produced outside handlers (unknown route, wrong method, unhandled exception).</summary>
    private static Task WriteErrorForStatus(HttpContext http)
    {
        int status = http.Response.StatusCode < 400 ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
        var path = http.Request.Path;
        if (!path.StartsWithSegments("/v1") && status != StatusCodes.Status500InternalServerError) return Task.CompletedTask;
        var style = path.StartsWithSegments("/v1/vision") ? ErrorStyle.DeepStack : ErrorStyle.Envelope;
        return ApiResults.Error(new ApiError(status, status == 500 ? "internal error" : ApiError.MessageFor(status)), style).ExecuteAsync(http);
    }
}
