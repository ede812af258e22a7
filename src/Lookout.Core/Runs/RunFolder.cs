using Lookout.Core.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lookout.Core.Evaluation;

namespace Lookout.Core.Runs;

/// <summary>(contract) The files of one run folder <c>runs/&lt;id&gt;/</c>.</summary>
public sealed record RunFolder(string Id, string Dir)
{
    public string OptionsPath => Path.Combine(Dir, "options.json");
    public string ManifestPath => Path.Combine(Dir, "manifest.json");
    public string MetricsPath => Path.Combine(Dir, "metrics.tsv");
    public string ModelPath => Path.Combine(Dir, "model.onnx");
    public string EvalJsonPath => Path.Combine(Dir, "eval.json");
    public string EvalMarkdownPath => Path.Combine(Dir, "eval.md");
    public string ConfusionPngPath => Path.Combine(Dir, "confusion.png");
    public string LogPath => Path.Combine(Dir, "log.txt");
    public string ReportPath => Path.Combine(Dir, "report.html");
    /// <summary>A fine-tuning run's plan, written before any work so the run can be resumed from any point.</summary>
    public string FineTunePlanPath => Path.Combine(Dir, "finetune.json");
    /// <summary>Why the run stopped without a model, when it failed (not when it was killed or stopped: those resume).</summary>
    public string FailurePath => Path.Combine(Dir, "failed.txt");

    /// <summary>The reason the run failed, or null.</summary>
    public string? Failure
    {
        get
        {
            try { return File.Exists(FailurePath) ? File.ReadAllText(FailurePath).Trim() : null; }
            catch (IOException) { return null; }
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/>; if it throws (a cancellation aside), writes why to <see cref="FailurePath"/> so
    /// <c>runs list</c> says "failed" and why, then lets the exception go on. Best effort: on a full disk even this
    /// small file may not fit, and the run is then listed as incomplete.
    /// </summary>
    public async Task<T> RecordingFailureAsync<T>(Func<Task<T>> work)
    {
        try
        {
            if (File.Exists(FailurePath)) File.Delete(FailurePath); // a resumed run starts clean
            return await work().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            try { AtomicFile.WriteAllText(FailurePath, DiskFull.MessageOf(e) + "\n"); }
            catch (IOException) { }
            throw;
        }
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// Writes eval.json, eval.md and (unless <paramref name="confusionPng"/> is false: training defers drawing to
    /// <c>report</c>) confusion.png, each atomically.
    /// </summary>
    public void WriteEvaluation(EvaluationReport report, bool confusionPng = true)
    {
        AtomicFile.WriteAllText(EvalJsonPath, ReportJson.Render(report));
        AtomicFile.WriteAllText(EvalMarkdownPath, ReportText.Markdown(report));
        if (confusionPng) ConfusionMatrixPlot.SavePng(report, ConfusionPngPath);
    }

    public void WriteJson<T>(string path, T value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Json));

    public T? ReadJson<T>(string path) => File.Exists(path) ? JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json) : default;
}
