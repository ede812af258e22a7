using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lookout.Core.Inference.Scoring;

/// <summary>
/// Reads a score recipe from YAML (format in <see cref="ScoreRecipe"/>). A line's points are a number (points each,
/// no cap), the short text <c>"2 each up to 3"</c>, or a mapping <c>{each, up_to, labels}</c>. Every problem is
/// reported with its line; unknown keys are errors (a typo must not silently score nothing).
/// </summary>
public static partial class ScoreRecipeParser
{
    private static readonly string[] TopKeys = ["name", "model", "min_score", "points", "verdicts"];
    private static readonly string[] LineKeys = ["each", "up_to", "labels"];
    private static readonly string[] VerdictKeys = ["min", "say"];

    [GeneratedRegex(@"^\s*(?<each>[-+]?\d+(\.\d+)?)\s*(each)?\s*(up\s*to\s*(?<cap>\d+))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ShortForm();

    public static ScoreRecipe Load(string path)
    {
        if (!File.Exists(path)) throw new LookoutException($"{path}: recipe file not found");
        return Parse(File.ReadAllText(path), Path.GetFileNameWithoutExtension(path), path);
    }

    public static ScoreRecipe Parse(string yaml, string defaultName = "recipe", string sourceName = "recipe")
    {
        var problems = new List<string>();
        var stream = new YamlStream();
        try { stream.Load(new StringReader(yaml)); }
        catch (YamlException e) { throw Problem(sourceName, [$"line {e.Start.Line}: not valid YAML ({e.InnerException?.Message ?? e.Message})"]); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Problem(sourceName, ["a recipe is a mapping with a 'points:' section, e.g. 'points: { laptop: 1 }'"]);

        UnknownKeys(root, TopKeys, "the recipe", problems);
        var name = Scalar(root, "name") ?? defaultName;
        var model = Scalar(root, "model");
        float minScore = Inference.Detectors.DetectorOptions.DefaultMinScore;
        if (Scalar(root, "min_score") is { } ms)
        {
            if (!float.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out minScore) || minScore is < 0 or > 1)
                problems.Add($"line {LineOf(root, "min_score")}: min_score must be a number in 0..1, got '{ms}'");
        }

        var rules = new List<ScoreRule>();
        if (Child(root, "points") is not YamlMappingNode points || points.Children.Count == 0)
            problems.Add($"line {root.Start.Line}: the recipe needs 'points:' with at least one thing, e.g. 'points: {{ plant: 2 each up to 3 }}'");
        else
            foreach (var (keyNode, value) in points.Children)
                if (ReadRule(((YamlScalarNode)keyNode).Value ?? "", value, problems) is { } rule) rules.Add(rule);

        var verdicts = new List<ScoreVerdict>();
        if (Child(root, "verdicts") is { } vnode)
        {
            if (vnode is not YamlSequenceNode seq) problems.Add($"line {vnode.Start.Line}: 'verdicts' is a list of {{ min: 5, say: tidy }}");
            else
                foreach (var item in seq)
                    if (ReadVerdict(item, problems) is { } v) verdicts.Add(v);
            if (verdicts.Count(v => v.Min is null) > 1) problems.Add("only one verdict may leave out 'min' (the fallback)");
            foreach (var dup in verdicts.Where(v => v.Min is not null).GroupBy(v => v.Min).Where(g => g.Count() > 1))
                problems.Add($"two verdicts have min {dup.Key}");
        }
        if (problems.Count > 0) throw Problem(sourceName, problems);
        return new ScoreRecipe(name, rules, verdicts, minScore, model);
    }

    private static ScoreRule? ReadRule(string thing, YamlNode value, List<string> problems)
    {
        int line = (int)value.Start.Line;
        if (string.IsNullOrWhiteSpace(thing)) { problems.Add($"line {line}: a thing to count needs a name"); return null; }
        if (value is YamlScalarNode scalar)
        {
            var m = ShortForm().Match(scalar.Value ?? "");
            if (!m.Success)
            {
                problems.Add($"line {line}: '{thing}: {scalar.Value}' is not points: write a number (1), '2 each up to 3', or {{ each: 2, up_to: 3 }}");
                return null;
            }
            return new ScoreRule(thing, double.Parse(m.Groups["each"].Value, CultureInfo.InvariantCulture),
                m.Groups["cap"].Success ? int.Parse(m.Groups["cap"].Value, CultureInfo.InvariantCulture) : null, null);
        }
        if (value is not YamlMappingNode map) { problems.Add($"line {line}: '{thing}' needs points: a number or {{ each: 2, up_to: 3 }}"); return null; }
        UnknownKeys(map, LineKeys, $"'{thing}'", problems);
        double each = 1;
        if (Scalar(map, "each") is { } e && !double.TryParse(e, NumberStyles.Float, CultureInfo.InvariantCulture, out each))
            problems.Add($"line {line}: '{thing}': each must be a number, got '{e}'");
        int? upTo = null;
        if (Scalar(map, "up_to") is { } u)
        {
            if (int.TryParse(u, NumberStyles.Integer, CultureInfo.InvariantCulture, out var cap) && cap >= 0) upTo = cap;
            else problems.Add($"line {line}: '{thing}': up_to must be a whole number ≥ 0, got '{u}'");
        }
        List<string>? labels = null;
        if (Child(map, "labels") is { } l)
        {
            labels = l switch
            {
                YamlSequenceNode s => s.OfType<YamlScalarNode>().Select(x => x.Value ?? "").Where(x => x.Length > 0).ToList(),
                YamlScalarNode s => (s.Value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
                _ => null,
            };
            if (labels is null or { Count: 0 }) problems.Add($"line {line}: '{thing}': labels is a list of detector classes, e.g. [potted plant]");
        }
        return new ScoreRule(thing, each, upTo, labels);
    }

    private static ScoreVerdict? ReadVerdict(YamlNode item, List<string> problems)
    {
        int line = (int)item.Start.Line;
        if (item is not YamlMappingNode map) { problems.Add($"line {line}: a verdict is {{ min: 5, say: tidy }}"); return null; }
        UnknownKeys(map, VerdictKeys, "a verdict", problems);
        var say = Scalar(map, "say");
        if (string.IsNullOrWhiteSpace(say)) { problems.Add($"line {line}: a verdict needs 'say: ...'"); return null; }
        double? min = null;
        if (Scalar(map, "min") is { } m)
        {
            if (double.TryParse(m, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) min = v;
            else { problems.Add($"line {line}: min must be a number, got '{m}'"); return null; }
        }
        return new ScoreVerdict(min, say);
    }

    private static void UnknownKeys(YamlMappingNode map, string[] known, string where, List<string> problems)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
            if (!known.Contains(key.Value))
                problems.Add($"line {key.Start.Line}: unknown key '{key.Value}' in {where} (known: {string.Join(", ", known)})");
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static string? Scalar(YamlMappingNode map, string key) => Child(map, key) is YamlScalarNode s ? s.Value : null;

    private static long LineOf(YamlMappingNode map, string key) => Child(map, key)?.Start.Line ?? map.Start.Line;

    private static LookoutException Problem(string source, IReadOnlyList<string> problems) =>
        new($"{source}: " + string.Join("; ", problems));
}
