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
/// <see cref="Label"/> (null = any label not ignored) with at least <see cref="MinScore"/>. For boxes,
/// <see cref="MinArea"/>/<see cref="MaxArea"/> bound the box area as a fraction of the frame (a "person" the size
/// of a cat far away, or one filling the whole frame, is usually something else).
/// </summary>
public sealed record RuleCondition(string? Label, float MinScore, int Frames, int OfLast)
{
    public float MinArea { get; init; }
    public float MaxArea { get; init; } = 1f;
}

/// <summary>When a rule may fire again after firing.</summary>
public enum Rearm
{
    /// <summary>As soon as the cooldown has passed (while the object stays, once per cooldown).</summary>
    Cooldown,
    /// <summary>Only after the cooldown and a full window without hits: one event per visit, however long it lasts.</summary>
    Absent,
}

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

    public Rearm Rearm { get; init; } = Rearm.Cooldown;
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
