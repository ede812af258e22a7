using System.Collections.Immutable;
using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Rules;

/// <summary>
/// A rule's memory: hit scores (null = miss) of the last <c>of_last</c> processed frames, oldest first, and
/// when it last fired (source time). Immutable; <see cref="RuleEvaluator.Step"/> returns the next one.
/// </summary>
public sealed record RuleWindow(ImmutableArray<float?> Recent, TimeSpan? LastFired)
{
    public static RuleWindow Empty { get; } = new(ImmutableArray<float?>.Empty, null);
    /// <summary>False after firing under <see cref="Rearm.Absent"/> until a full window has no hits.</summary>
    public bool Armed { get; init; } = true;
    public int Hits => Recent.Count(s => s is not null);
}

/// <summary>The rule fired on this frame: the label seen, the consensus score and where.</summary>
public sealed record AlertDecision(string Rule, string Label, float Score, float TopScore, BoxF? Box);

/// <summary>
/// Temporal consensus and cooldown, as a pure function. A rule fires on a hit frame when at least
/// <c>frames</c> of the last <c>of_last</c> processed frames were hits and its cooldown (measured in source time,
/// so replays are deterministic) has passed since it last fired. The reported score is the median of the hit
/// scores in the window (Frigate's smoothing), so one lucky frame does not set it. With <see cref="Rearm.Absent"/>
/// it fires once per visit: a parked car or a sleeping cat does not alert forever.
/// </summary>
public static class RuleEvaluator
{
    public static (RuleWindow Next, AlertDecision? Decision) Step(Rule rule, RuleWindow window, RuleHit? hit, TimeSpan time)
    {
        var recent = window.Recent.Add(hit?.Score);
        if (recent.Length > rule.When.OfLast) recent = recent.RemoveRange(0, recent.Length - rule.When.OfLast);
        var next = window with { Recent = recent };
        if (!next.Armed && recent.Length == rule.When.OfLast && recent.All(s => s is null)) next = next with { Armed = true };
        if (hit is null || !next.Armed) return (next, null);
        var scores = recent.Where(s => s is not null).Select(s => s!.Value).ToList();
        if (scores.Count < rule.When.Frames) return (next, null);
        if (window.LastFired is { } last && time - last < rule.Cooldown) return (next, null);
        var decision = new AlertDecision(rule.Name, hit.Label, Median(scores), scores.Max(), hit.Box);
        return (next with { LastFired = time, Armed = rule.Rearm != Rearm.Absent }, decision);
    }

    public static float Median(IReadOnlyList<float> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2f;
    }
}
