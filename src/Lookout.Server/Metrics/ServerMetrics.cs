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
    private readonly HistogramFamily _vision = new("lookout_vision_inference_seconds", "Decode + detector / face model time per image, by model.",
        [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], "model");
    private static readonly double[] StageBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private readonly HistogramFamily _decode = new("lookout_decode_seconds", "Decoding an upload to the model's input, per image, by model.", StageBounds, "model");
    private readonly HistogramFamily _queueWait = new("lookout_queue_wait_seconds", "Time an image waited for its forward pass to start, by model.", StageBounds, "model");
    private readonly HistogramFamily _forward = new("lookout_forward_seconds", "Wall time of one forward pass (a whole batch), by model.", StageBounds, "model");
    private readonly CounterFamily _reloads = new("lookout_model_reloads_total", "Model (re)loads by model and result (ok, failed).", "model", "result");

    public void ObserveRequest(string route, string method, int status, TimeSpan elapsed)
    {
        _requests.Inc(route, method, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _latency.Observe(elapsed.TotalSeconds, route);
    }

    public long RequestCount(string route, string method, int status) =>
        _requests.Get(route, method, status.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void ObserveBatch(string model, int size) => _batch.Observe(size, model);
    public void ObserveDecode(string model, TimeSpan elapsed) => _decode.Observe(elapsed.TotalSeconds, model);
    public void ObserveQueueWait(string model, TimeSpan elapsed) => _queueWait.Observe(elapsed.TotalSeconds, model);
    public void ObserveForward(string model, TimeSpan elapsed) => _forward.Observe(elapsed.TotalSeconds, model);

    /// <summary>Where a model's request time went: total seconds and count of decodes, queue waits and forward passes.</summary>
    public (double DecodeSeconds, long Decodes, double WaitSeconds, long Waits, double ForwardSeconds, long Passes) Stages(string model)
    {
        var (d, dn) = _decode.Total(model);
        var (w, wn) = _queueWait.Total(model);
        var (f, fn) = _forward.Total(model);
        return (d, dn, w, wn, f, fn);
    }

    public void SetQueueDepth(string model, int depth) => _queue.Set(depth, model);
    public void ObserveVision(string model, TimeSpan elapsed) => _vision.Observe(elapsed.TotalSeconds, model);

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
        _vision.Write(sb);
        _decode.Write(sb);
        _queueWait.Write(sb);
        _forward.Write(sb);
        _reloads.Write(sb);
        return sb.ToString();
    }
}
