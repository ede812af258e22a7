using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookout.Core.Inference.Rejection;

/// <summary>
/// Calibration of one class: accept a prediction of this class only if its probability is at least
/// <see cref="MinProbability"/> and the image's embedding is at least <see cref="MinSimilarity"/> (cosine, in the
/// standardised embedding space) from the class centroid. <see cref="CalibrationCount"/> says how many validation
/// images set the thresholds (0 = too few of its own; pooled thresholds of all classes were used).
/// </summary>
public sealed record ClassThreshold(string Label, float MinProbability, float MinSimilarity, int CalibrationCount, float[] Centroid);

/// <summary>
/// (contract) The <c>lookout.thresholds</c> metadata of an exported model: what "unknown" means for it.
/// <see cref="Mean"/>/<see cref="Std"/> standardise the raw <c>embedding</c> output before the cosine to the
/// centroids (the head's own standardisation). <see cref="TargetKeep"/> is the share of known validation images
/// the thresholds were set to accept.
/// </summary>
public sealed record RejectionThresholds(
    string Method,
    double TargetKeep,
    int ValidationCount,
    float[] Mean,
    float[] Std,
    IReadOnlyList<ClassThreshold> Classes)
{
    public const string MethodName = "max-probability+centroid-cosine";
    public const string UnknownLabel = "unknown";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public int Dim => Mean.Length;

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RejectionThresholds FromJson(string json)
    {
        RejectionThresholds? t;
        try { t = JsonSerializer.Deserialize<RejectionThresholds>(json, Json); }
        catch (JsonException e) { throw new InvalidDataException($"lookout.thresholds is not valid JSON: {e.Message}", e); }
        if (t is null || t.Classes is null || t.Mean is null || t.Std is null || t.Mean.Length != t.Std.Length
            || t.Classes.Any(c => c.Centroid is null || c.Centroid.Length != t.Mean.Length))
            throw new InvalidDataException("lookout.thresholds is incomplete (classes, mean, std and centroids of one dimension are required).");
        return t;
    }
}
