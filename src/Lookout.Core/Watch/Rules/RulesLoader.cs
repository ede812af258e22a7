using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lookout.Core.Watch.Rules;

/// <summary>
/// Reads and validates a rules YAML file (<c>rules:</c> list + <c>actions:</c> settings). Every problem is reported
/// with its line, and unknown keys get a "did you mean". See <see cref="Rule"/> for the meaning of each field.
/// </summary>
public static class RulesLoader
{
    private static readonly string[] TopKeys = ["rules", "actions"];
    private static readonly string[] RuleKeys = ["name", "when", "source", "zone", "ignore", "cooldown", "rearm", "actions"];
    private static readonly string[] WhenKeys = ["label", "min_score", "frames", "of_last", "min_area", "max_area"];
    private static readonly Dictionary<string, Rearm> Rearms = new() { ["cooldown"] = Rearm.Cooldown, ["absent"] = Rearm.Absent };
    private static readonly Dictionary<string, RuleSource> Sources = new()
    {
        ["classifier"] = RuleSource.Classifier, ["detector"] = RuleSource.Detector, ["face_unknown"] = RuleSource.FaceUnknown,
    };

    public const int MaxWindow = 64;
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromSeconds(30);

    public static RuleSet Load(string path)
    {
        if (!File.Exists(path)) throw new LookoutException($"{path}: rules file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static RuleSet Parse(string yaml, string sourceName = "rules")
    {
        var problems = new List<string>();
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw new RulesConfigException(sourceName, [$"line {e.Start.Line}: not valid YAML ({e.InnerException?.Message ?? e.Message})"]); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new RulesConfigException(sourceName, ["the file must be a mapping with a 'rules:' list"]);

        var top = new YamlMap(root, "the file", problems, TopKeys);
        var actions = ReadActions(YamlMap.From(top.Node("actions"), "actions", problems, ActionsConfig.Known), problems);
        var rules = new List<Rule>();
        var ruleNodes = top.Sequence("rules");
        if (ruleNodes is null || ruleNodes.Count == 0) problems.Add($"line {top.Line}: the file needs a non-empty 'rules:' list");
        foreach (var (node, i) in (ruleNodes ?? []).Select((n, i) => (n, i)))
            if (YamlMap.From(node, $"rule #{i + 1}", problems, RuleKeys) is { } map && ReadRule(map, actions, problems) is { } rule)
                rules.Add(rule);
        foreach (var dup in rules.GroupBy(r => r.Name).Where(g => g.Count() > 1))
            problems.Add($"rule name '{dup.Key}' is used {dup.Count()} times; names must be unique");
        if (problems.Count > 0) throw new RulesConfigException(sourceName, problems);
        return new RuleSet(rules, actions);
    }

    private static Rule? ReadRule(YamlMap map, ActionsConfig actions, List<string> problems)
    {
        int before = problems.Count;
        var name = map.String("name", required: true) ?? "?";
        var ctx = $"rule '{name}'";
        var when = YamlMap.From(map.Node("when"), $"'when' of {ctx}", problems, WhenKeys);
        if (when is null && !map.Has("when")) problems.Add($"line {map.Line}: {ctx} needs 'when: {{ label: ..., min_score: ... }}'");
        var label = when?.String("label");
        float minScore = (float)(when?.Number("min_score", 0, 1) ?? 0.5);
        int frames = when?.Integer("frames", 1, MaxWindow) ?? 1;
        int ofLast = when?.Integer("of_last", 1, MaxWindow) ?? frames;
        if (ofLast < frames) problems.Add($"line {when!.Line}: {ctx}: frames ({frames}) cannot exceed of_last ({ofLast})");
        float minArea = (float)(when?.Number("min_area", 0, 1) ?? 0), maxArea = (float)(when?.Number("max_area", 0, 1) ?? 1);
        if (minArea > maxArea) problems.Add($"line {when!.Line}: {ctx}: min_area ({minArea}) is above max_area ({maxArea})");

        var source = RuleSource.Classifier;
        if (map.String("source") is { } s && !Sources.TryGetValue(s, out source))
            map.Problem(map.Node("source")!, $"{ctx}: unknown source '{s}'{NameSuggester.Hint(s, Sources.Keys)}; use one of {string.Join(", ", Sources.Keys)}");
        var zone = ReadZone(map, ctx);
        if (zone is not null && source == RuleSource.Classifier)
            map.Problem(map.Node("zone")!, $"{ctx}: a zone needs boxes; use 'source: detector' (or face_unknown), classifiers see whole frames");

        if ((when?.Has("min_area") == true || when?.Has("max_area") == true) && source == RuleSource.Classifier)
            when!.Problem(when.Node("min_area") ?? when.Node("max_area")!, $"{ctx}: min_area/max_area need boxes; use 'source: detector'");
        var rearm = Rearm.Cooldown;
        if (map.String("rearm") is { } r && !Rearms.TryGetValue(r, out rearm))
            map.Problem(map.Node("rearm")!, $"{ctx}: rearm must be 'cooldown' or 'absent'{NameSuggester.Hint(r, Rearms.Keys)}");
        var ignore = map.Strings("ignore") ?? [];
        var cooldown = map.Duration("cooldown") ?? DefaultCooldown;
        var ruleActions = map.Strings("actions") ?? [ActionsConfig.SnapshotName];
        foreach (var a in ruleActions)
        {
            if (!ActionsConfig.Known.Contains(a))
                map.Problem(map.Node("actions")!, $"{ctx}: unknown action '{a}'{NameSuggester.Hint(a, ActionsConfig.Known)}; known: {string.Join(", ", ActionsConfig.Known)}");
            else if (a == ActionsConfig.WebhookName && actions.Webhook is null || a == ActionsConfig.MqttName && actions.Mqtt is null)
                map.Problem(map.Node("actions")!, $"{ctx}: action '{a}' is used but not configured under 'actions: {a}:'");
        }
        if (problems.Count > before) return null;
        var normalisedLabel = label is null || label == Rule.AnyLabel ? null : label;
        if (normalisedLabel is not null && ignore.Contains(normalisedLabel))
        {
            problems.Add($"line {map.Line}: {ctx} ignores its own label '{normalisedLabel}'");
            return null;
        }
        return new Rule(name, new RuleCondition(normalisedLabel, minScore, frames, ofLast) { MinArea = minArea, MaxArea = maxArea }, source, zone,
            ignore.ToHashSet(StringComparer.Ordinal), cooldown, ruleActions.Distinct().ToArray()) { Rearm = rearm };
    }

    private static List<PointF>? ReadZone(YamlMap map, string ctx)
    {
        var items = map.Sequence("zone");
        if (items is null) return null;
        var points = new List<PointF>();
        foreach (var item in items)
        {
            if (item is YamlSequenceNode { Children.Count: 2 } pair
                && TryUnit(pair.Children[0], out var x) && TryUnit(pair.Children[1], out var y))
                points.Add(new PointF(x, y));
            else
                map.Problem(item, $"{ctx}: zone points must be [x, y] pairs with 0 <= x, y <= 1 (fractions of the frame)");
        }
        if (points.Count == items.Count && points.Count < 3) map.Problem(map.Node("zone")!, $"{ctx}: a zone needs at least 3 points");
        return points;
    }

    private static bool TryUnit(YamlNode node, out float value)
    {
        value = 0;
        return node is YamlScalarNode { Value: { } s } && float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value is >= 0 and <= 1;
    }

    private static ActionsConfig ReadActions(YamlMap? map, List<string> problems)
    {
        var snap = YamlMap.From(map?.Node("snapshot"), "actions: snapshot", problems, "dir", "quality");
        var hook = YamlMap.From(map?.Node("webhook"), "actions: webhook", problems, "url", "timeout");
        var mqtt = YamlMap.From(map?.Node("mqtt"), "actions: mqtt", problems, "host", "port", "topic", "client_id", "username", "password");
        var snapshot = new SnapshotActionConfig(snap?.String("dir") ?? "events", snap?.Integer("quality", 1, 100) ?? 85);

        WebhookActionConfig? webhook = null;
        if (hook?.String("url", required: true) is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                webhook = new WebhookActionConfig(uri, hook.Duration("timeout") ?? TimeSpan.FromSeconds(5));
            else hook.Problem(hook.Node("url")!, $"webhook url '{url}' must be an absolute http:// or https:// address");
        }
        MqttActionConfig? mqttConfig = null;
        if (mqtt?.String("host", required: true) is { } host)
            mqttConfig = new MqttActionConfig(host, mqtt.Integer("port", 1, 65535) ?? 1883, mqtt.String("topic") ?? "lookout/events",
                mqtt.String("client_id"), mqtt.String("username"), mqtt.String("password"));
        return new ActionsConfig(snapshot, webhook, mqttConfig);
    }
}
