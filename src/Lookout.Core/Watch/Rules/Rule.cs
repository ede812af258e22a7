namespace Lookout.Core.Watch.Rules;

/// <summary>Which observations a rule looks at.</summary>
public enum RuleSource
{
    /// <summary>Whole-frame classifier predictions.</summary>
    Classifier,
    /// <summary>Detector boxes (zones apply to the box centre).</summary>
    Detector,
    /// <summary>Faces that matched nobody enrolled.</summary>
    FaceUnknown,
}

/// <summary>
/// When a rule fires: <see cref="Frames"/> of the last <see cref="OfLast"/> processed frames must show
/// <see cref="Label"/> (null = any label not ignored) with at least <see cref="MinScore"/>.
/// </summary>
public sealed record RuleCondition(string? Label, float MinScore, int Frames, int OfLast);

/// <summary>A normalised point (0..1, origin top-left).</summary>
public readonly record struct PointF(float X, float Y);

/// <summary>One alert rule, validated. Rules are data; <see cref="RuleEvaluator"/> decides.</summary>
public sealed record Rule(
    string Name,
    RuleCondition When,
    RuleSource Source,
    IReadOnlyList<PointF>? Zone,
    IReadOnlySet<string> Ignore,
    TimeSpan Cooldown,
    IReadOnlyList<string> Actions)
{
    public const string AnyLabel = "any";
}

public sealed record SnapshotActionConfig(string Dir, int Quality = 85);
public sealed record WebhookActionConfig(Uri Url, TimeSpan Timeout);
public sealed record MqttActionConfig(string Host, int Port, string Topic, string? ClientId = null, string? Username = null, string? Password = null);

/// <summary>Settings of the actions rules can name; null = not configured.</summary>
public sealed record ActionsConfig(SnapshotActionConfig? Snapshot, WebhookActionConfig? Webhook, MqttActionConfig? Mqtt)
{
    public const string SnapshotName = "snapshot", WebhookName = "webhook", MqttName = "mqtt";
    public static readonly string[] Known = [SnapshotName, WebhookName, MqttName];
}

/// <summary>A loaded rules file.</summary>
public sealed record RuleSet(IReadOnlyList<Rule> Rules, ActionsConfig Actions);
