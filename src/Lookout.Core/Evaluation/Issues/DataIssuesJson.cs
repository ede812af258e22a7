using System.Text.Json;
using System.Text.Json.Serialization;
using Lookout.Core.IO;

namespace Lookout.Core.Evaluation.Issues;

/// <summary><c>&lt;workspace&gt;/issues.json</c>: the last <c>data issues</c> report, read back by the HTML run report.</summary>
public static class DataIssuesJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string PathIn(Workspace workspace) => System.IO.Path.Combine(workspace.Root, "issues.json");

    public static string Render(DataIssuesReport report) => JsonSerializer.Serialize(report, Options);

    public static void Write(Workspace workspace, DataIssuesReport report) => AtomicFile.WriteAllText(PathIn(workspace), Render(report));

    /// <summary>The stored report, or null when there is none (or it cannot be read).</summary>
    public static DataIssuesReport? TryRead(Workspace workspace)
    {
        var path = PathIn(workspace);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<DataIssuesReport>(File.ReadAllText(path), Options); }
        catch (JsonException) { return null; }
    }
}
