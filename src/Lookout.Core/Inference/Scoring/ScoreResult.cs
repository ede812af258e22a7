namespace Lookout.Core.Inference.Scoring;

/// <summary>One recipe line for one image: what was found, how many counted, the points.</summary>
public sealed record ScoreLine(string Thing, IReadOnlyList<string> Labels, int Found, int Counted, double Each, double Points);

/// <summary>An image's score: the total, the verdict (null when the recipe has none for it) and each line.</summary>
public sealed record ScoreResult(double Total, string? Verdict, IReadOnlyList<ScoreLine> Lines);
