using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookout.Core.Evaluation;

/// <summary>The report as JSON (camelCase; NaN written as null), and back.</summary>
public static class ReportJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Render(EvaluationReport report) => JsonSerializer.Serialize(report, Options);

    public static EvaluationReport Parse(string json) =>
        JsonSerializer.Deserialize<EvaluationReport>(json, Options) ?? throw new InvalidDataException("Empty evaluation report.");
}
