namespace Lookout.Core.Inference.Scoring;

/// <summary>
/// How detected things become points and a verdict ("count and score"). Written as YAML, see
/// <see cref="ScoreRecipeParser"/> for the format:
/// <code>
/// name: home office
/// min_score: 0.4            # detections below this do not count (default 0.4)
/// model: nanodet            # optional: the detector to use (the CLI's --model / the API's model field win)
/// points:
///   plant: 2 each up to 3   # 2 points per plant, at most 3 plants count
///   laptop: 1               # 1 point per laptop
///   chair: { each: 1, up_to: 1 }
///   cup: { each: -1, labels: [cup, wine glass] }   # explicit detector classes; negative points allowed
/// verdicts:                 # the one with the highest min the total reaches
///   - { min: 5, say: tidy }
///   - { min: 2, say: getting there }
///   - { say: start with a plant }                  # no min: the fallback
/// </code>
/// </summary>
public sealed record ScoreRecipe(string Name, IReadOnlyList<ScoreRule> Rules, IReadOnlyList<ScoreVerdict> Verdicts, float MinScore, string? Model);

/// <summary>
/// One thing to count: <see cref="Thing"/> is matched to detector classes (see <see cref="LabelMatcher"/>) unless
/// <see cref="Labels"/> names them; <see cref="Each"/> points per detection, at most <see cref="UpTo"/> detections count.
/// </summary>
public sealed record ScoreRule(string Thing, double Each, int? UpTo, IReadOnlyList<string>? Labels);

/// <summary>A verdict said when the total reaches <see cref="Min"/> (null: the fallback when no other is reached).</summary>
public sealed record ScoreVerdict(double? Min, string Say);
