using System.Text;

namespace Lookout.Server.Metrics;

/// <summary>The server's Prometheus metrics (one instance per app, so in-process tests do not share counts).</summary>
public sealed class ServerMetrics
{
    private readonly CounterFamily _requests = new("lookout_http_requests_total", "HTTP requests by route template, method and status.", "route", "method", "status");
    private readonly HistogramFamily _latency = new("lookout_http_request_duration_seconds", "HTTP request latency by route template.",
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], "route");
    private readonly HistogramFamily _batch = new("lookout_batch_size", "Images per forward pass, by model.",
        [1, 2, 4, 8, 16, 32, 64], "model");
    private readonly GaugeFamily _queue = new("lookout_queue_depth", "Requests waiting for a forward pass, by model.", "model");
    private readonly GaugeFamily _loadSeconds = new("lookout_model_load_seconds", "Time the current version of each model took to load.", "model");
    private readonly CounterFamily _reloads = new("lookout_model_reloads_total", "Model (re)loads by model and result (ok, failed).", "model", "result");

    public void ObserveRequest(string route, string method, int status, TimeSpan elapsed)
    {
        _requests.Inc(route, method, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _latency.Observe(elapsed.TotalSeconds, route);
    }

    public long RequestCount(string route, string method, int status) =>
        _requests.Get(route, method, status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void ObserveBatch(string model, int size) => _batch.Observe(size, model);
    public void SetQueueDepth(string model, int depth) => _queue.Set(depth, model);

    public void ModelLoaded(string model, TimeSpan loadTime)
    {
        _loadSeconds.Set(loadTime.TotalSeconds, model);
        _reloads.Inc(model, "ok");
    }

    public void ModelLoadFailed(string model) => _reloads.Inc(model, "failed");

    public void ModelRemoved(string model)
    {
        _loadSeconds.Remove(model);
        _queue.Remove(model);
    }

    public string Render()
    {
        var sb = new StringBuilder();
        _requests.Write(sb);
        _latency.Write(sb);
        _batch.Write(sb);
        _queue.Write(sb);
        _loadSeconds.Write(sb);
        _reloads.Write(sb);
        return sb.ToString();
    }
}
