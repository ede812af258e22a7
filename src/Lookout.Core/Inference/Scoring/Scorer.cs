namespace Lookout.Core.Inference.Scoring;

/// <summary>
/// A recipe bound to one detector's classes (resolved once, so a bad word fails before any image is read), scoring
/// that detector's detections: per line, detections of its classes at or above the recipe's min score are counted
/// (at most <c>up_to</c>) times the points each; the verdict is the one with the highest <c>min</c> the total reaches.
/// </summary>
public sealed class Scorer
{
    private readonly IReadOnlyList<(ScoreRule Rule, IReadOnlyList<int> Ids)> _lines;
    private readonly IReadOnlyList<string> _labels;

    public Scorer(ScoreRecipe recipe, IReadOnlyList<string> labels, string detectorName)
    {
        Recipe = recipe;
        _labels = labels;
        _lines = recipe.Rules.Select(r => (r, LabelMatcher.Resolve(r, labels, detectorName))).ToList();
        Classes = _lines.SelectMany(l => l.Ids).ToHashSet();
    }

    /// <summary>
    /// Scoring counts objects, so detection for it lets boxes of different classes suppress each other: one object is
    /// counted once, under its best class (per-class NMS would count a triangle also as a weaker "disc" on the same spot).
    /// </summary>
    public const bool ClassAgnosticNms = true;

    public ScoreRecipe Recipe { get; }
    /// <summary>Every class id some line counts (detection can be limited to these).</summary>
    public IReadOnlySet<int> Classes { get; }

    public ScoreResult Score(IReadOnlyList<Detection> detections)
    {
        var lines = new List<ScoreLine>();
        foreach (var (rule, ids) in _lines)
        {
            int found = detections.Count(d => d.Score >= Recipe.MinScore && ids.Contains(ClassOf(d)));
            int counted = rule.UpTo is { } cap ? Math.Min(found, cap) : found;
            lines.Add(new ScoreLine(rule.Thing, ids.Select(i => _labels[i]).ToList(), found, counted, rule.Each, counted * rule.Each));
        }
        double total = lines.Sum(l => l.Points);
        var reached = Recipe.Verdicts.Where(v => v.Min is null || total >= v.Min).OrderByDescending(v => v.Min ?? double.NegativeInfinity).FirstOrDefault();
        return new ScoreResult(total, reached?.Say, lines);
    }

    /// <summary>The class id of a detection (detectors set it; a caller that only has the label gets it looked up).</summary>
    private int ClassOf(Detection d) => d.ClassId >= 0 && d.ClassId < _labels.Count && _labels[d.ClassId] == d.Label ? d.ClassId : IndexOf(d.Label);

    private int IndexOf(string label)
    {
        for (int i = 0; i < _labels.Count; i++) if (_labels[i] == label) return i;
        return -1;
    }
}
