using Lookout.Core.Video.Analysis;

namespace Lookout.Core.Watch.Rules;

/// <summary>
/// Holds one <see cref="RuleWindow"/> per rule and steps them all for each processed frame. The decisions
/// themselves are made by the pure <see cref="RuleMatcher"/> and <see cref="RuleEvaluator"/>. Not thread-safe:
/// the watcher's rules stage is its only caller.
/// </summary>
public sealed class RuleEngine(RuleSet rules)
{
    private readonly RuleWindow[] _windows = rules.Rules.Select(_ => RuleWindow.Empty).ToArray();

    public RuleSet Rules { get; } = rules;

    public IReadOnlyList<(Rule Rule, AlertDecision Decision)> Step(FrameAnalysis frame, TimeSpan time)
    {
        List<(Rule, AlertDecision)>? fired = null;
        for (int i = 0; i < Rules.Rules.Count; i++)
        {
            var rule = Rules.Rules[i];
            var (next, decision) = RuleEvaluator.Step(rule, _windows[i], RuleMatcher.Match(rule, frame), time);
            _windows[i] = next;
            if (decision is not null) (fired ??= []).Add((rule, decision));
        }
        return fired ?? (IReadOnlyList<(Rule, AlertDecision)>)[];
    }

    /// <summary>
    /// Checks the rules against what the analyzer can produce (labels, boxes, faces), before any frame runs,
    /// so a typo in a label fails at start-up instead of silently never firing.
    /// </summary>
    public static void Validate(RuleSet rules, IFrameAnalyzer analyzer, string sourceName = "rules")
    {
        var problems = new List<string>();
        foreach (var r in rules.Rules)
        {
            var needs = r.Source switch
            {
                RuleSource.Classifier => AnalyzerKinds.Classifier,
                RuleSource.Detector => AnalyzerKinds.Detector,
                _ => AnalyzerKinds.Faces,
            };
            if ((analyzer.Kinds & needs) == 0)
                problems.Add($"rule '{r.Name}' uses source {r.Source.ToString().ToLowerInvariant()}, but the model ({analyzer.Name}) gives no {needs.ToString().ToLowerInvariant()} output");
            if (r.Source == RuleSource.FaceUnknown) continue;
            foreach (var label in r.Ignore.Append(r.When.Label).OfType<string>())
                if (!analyzer.Labels.Contains(label))
                    problems.Add($"rule '{r.Name}': label '{label}' is not one of the model's labels{NameSuggester.Hint(label, analyzer.Labels)}");
        }
        if (problems.Count > 0) throw new RulesConfigException(sourceName, problems);
    }
}
