using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Lookout.Core.Watch.Rules;

/// <summary>
/// Typed, validating reads from one YAML mapping. Problems (unknown keys with "did you mean", wrong types, out of
/// range values) are collected with their line numbers instead of thrown, so a user sees all of them at once.
/// </summary>
internal sealed class YamlMap
{
    private readonly YamlMappingNode _node;
    private readonly List<string> _problems;

    public YamlMap(YamlMappingNode node, string context, List<string> problems, params string[] allowedKeys)
    {
        _node = node;
        Context = context;
        _problems = problems;
        foreach (var key in node.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (!allowedKeys.Contains(name))
                Problem(key, $"unknown key '{name}' in {context}{NameSuggester.Hint(name, allowedKeys)}; known keys: {string.Join(", ", allowedKeys)}");
        }
    }

    public string Context { get; }

    public static YamlMap? From(YamlNode? node, string context, List<string> problems, params string[] allowedKeys)
    {
        if (node is null) return null;
        if (node is YamlMappingNode map) return new YamlMap(map, context, problems, allowedKeys);
        problems.Add($"line {node.Start.Line}: {context} must be a mapping (key: value)");
        return null;
    }

    public void Problem(YamlNode at, string message) => _problems.Add($"line {at.Start.Line}: {message}");

    public YamlNode? Node(string key) => _node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

    public bool Has(string key) => Node(key) is not null;

    public int Line => (int)_node.Start.Line;

    public string? String(string key, bool required = false)
    {
        var node = Node(key);
        if (node is null)
        {
            if (required) _problems.Add($"line {Line}: {Context} needs '{key}'");
            return null;
        }
        if (node is YamlScalarNode { Value: { } s } && s.Length > 0) return s;
        Problem(node, $"'{key}' in {Context} must be a non-empty text value");
        return null;
    }

    public double? Number(string key, double min, double max)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } s } && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            if (v >= min && v <= max) return v;
            Problem(node, $"'{key}' in {Context} is {s}; it must be within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        Problem(node, $"'{key}' in {Context} must be a number");
        return null;
    }

    public int? Integer(string key, int min, int max)
    {
        var v = Number(key, min, max);
        if (v is { } d && d != Math.Floor(d))
        {
            Problem(Node(key)!, $"'{key}' in {Context} must be a whole number");
            return null;
        }
        return v is { } x ? (int)x : null;
    }

    public TimeSpan? Duration(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlScalarNode { Value: { } s } && DurationParser.TryParse(s, out var t)) return t;
        Problem(node, $"'{key}' in {Context} must be a duration such as 30s, 2m or 500ms");
        return null;
    }

    public IReadOnlyList<YamlNode>? Sequence(string key)
    {
        if (Node(key) is not { } node) return null;
        if (node is YamlSequenceNode seq) return seq.Children.ToList();
        Problem(node, $"'{key}' in {Context} must be a list");
        return null;
    }

    /// <summary>A list of text values (a single value is accepted as a one-item list).</summary>
    public IReadOnlyList<string>? Strings(string key)
    {
        if (Node(key) is YamlScalarNode { Value: { } one } && one.Length > 0) return [one];
        var seq = Sequence(key);
        if (seq is null) return null;
        var result = new List<string>();
        foreach (var item in seq)
        {
            if (item is YamlScalarNode { Value: { } s } && s.Length > 0) result.Add(s);
            else Problem(item, $"items of '{key}' in {Context} must be text values");
        }
        return result;
    }
}
