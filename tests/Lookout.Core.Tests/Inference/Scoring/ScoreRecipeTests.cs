using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Scoring;

namespace Lookout.Core.Tests.Inference.Scoring;

/// <summary>
/// Score recipes: the YAML forms, errors that name the line, class words that fit the COCO detector and a user's own,
/// and scoring the COCO NanoDet's real detections on real photos (the counts must be exactly what detect reports).
/// </summary>
public sealed class ScoreRecipeTests
{
    private const string Recipe = """
        name: crowd
        min_score: 0.3
        points:
          person: 1 each up to 3
          pottedplant: 2
          phone: { each: -1, up_to: 2 }
          screen: { each: 0.5, labels: [tv, laptop] }
        verdicts:
          - { min: 3, say: busy }
          - { min: 1, say: someone }
          - { say: empty }
        """;

    [Fact]
    public void Parse_ReadsEveryForm()
    {
        var r = ScoreRecipeParser.Parse(Recipe);
        Assert.Equal("crowd", r.Name);
        Assert.Equal(0.3f, r.MinScore);
        Assert.Equal([new ScoreRule("person", 1, 3, null), new ScoreRule("pottedplant", 2, null, null)], r.Rules.Take(2));
        Assert.Equal(-1, r.Rules[2].Each);
        Assert.Equal(2, r.Rules[2].UpTo);
        Assert.Equal(["tv", "laptop"], r.Rules[3].Labels);
        Assert.Equal([new ScoreVerdict(3, "busy"), new ScoreVerdict(1, "someone"), new ScoreVerdict(null, "empty")], r.Verdicts);
        Assert.NotNull(ScoreRecipeParser.Parse(RecipeLibrary.HomeOffice));
    }

    [Fact]
    public void TheShippedExample_IsTheBuiltInHomeOfficeRecipe()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var shipped = ScoreRecipeParser.Load(Path.Combine(dir!.FullName, "examples", "home-office.yaml"));
        var builtIn = RecipeLibrary.Find("home-office", recipesDir: null);
        Assert.Equal(builtIn.Rules, shipped.Rules, new RuleComparer());
        Assert.Equal(builtIn.Verdicts, shipped.Verdicts);
        Assert.Equal(CocoLabels.Resolve(["potted plant", "laptop", "chair", "tv", "book", "cup"]).Order(), new Scorer(shipped, CocoLabels.All, "nanodet").Classes.Order());
    }

    private sealed class RuleComparer : IEqualityComparer<ScoreRule>
    {
        public bool Equals(ScoreRule? a, ScoreRule? b) => a is not null && b is not null && a.Thing == b.Thing && a.Each == b.Each && a.UpTo == b.UpTo &&
            (a.Labels ?? []).SequenceEqual(b.Labels ?? []);
        public int GetHashCode(ScoreRule r) => r.Thing.GetHashCode(StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("points:\n  plant: lots", "line 2", "not points")]
    [InlineData("points:\n  plant: 1\nverdict:\n  - {min: 1, say: x}", "line 3", "unknown key 'verdict'")]
    [InlineData("points:\n  plant: {each: 1, upto: 2}", "line 2", "unknown key 'upto'")]
    [InlineData("name: x", "line 1", "needs 'points:'")]
    [InlineData("points:\n  plant: 1\nverdicts:\n  - {min: 2}", "line 4", "needs 'say")]
    [InlineData("points: [plant", "line", "not valid YAML")]
    public void Parse_BadRecipes_SayWhatAndWhere(string yaml, string where, string what)
    {
        var e = Assert.Throws<LookoutException>(() => ScoreRecipeParser.Parse(yaml));
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Words_MatchCocoAndUserClasses_UnknownWordIsAnError()
    {
        var coco = new Scorer(ScoreRecipeParser.Parse(Recipe), CocoLabels.All, "nanodet");
        Assert.Equal(CocoLabels.Resolve(["person", "potted plant", "cell phone", "tv", "laptop"]).Order(), coco.Classes.Order());
        var plant = new Scorer(ScoreRecipeParser.Parse("points: { plant: 1 }"), CocoLabels.All, "nanodet");
        Assert.Equal(CocoLabels.Resolve(["potted plant"]), plant.Classes);
        var own = new Scorer(ScoreRecipeParser.Parse("points: { Plant: 1, mug: 2 }"), ["mug", "plant", "keys"], "mine");
        Assert.Equal([0, 1], own.Classes.Order());
        var e = Assert.Throws<LookoutException>(() => new Scorer(ScoreRecipeParser.Parse("points: { unicorn: 1 }"), CocoLabels.All, "nanodet"));
        Assert.Contains("'unicorn' matches no class of detector nanodet", e.Message);
        Assert.Throws<LookoutException>(() => new Scorer(ScoreRecipeParser.Parse("points: { x: { labels: [dragon] } }"), CocoLabels.All, "nanodet"));
    }

    [Fact]
    public void Score_CapsCountsAddsPoints_PicksTheHighestVerdictReached()
    {
        var scorer = new Scorer(ScoreRecipeParser.Parse(Recipe), CocoLabels.All, "nanodet");
        Lookout.Core.Inference.Detection D(string label, float score = 0.9f) =>
            new(label, score, new Lookout.Core.Imaging.BoxF(0, 0, 10, 10)) { ClassId = CocoLabels.All.ToList().IndexOf(label) };
        var result = scorer.Score([D("person"), D("person"), D("person"), D("person"), D("person", 0.2f), D("cell phone"), D("tv"), D("laptop"), D("dog")]);
        Assert.Equal(3 - 1 + 1.0, result.Total);
        Assert.Equal("busy", result.Verdict);
        Assert.Equal((4, 3), (result.Lines[0].Found, result.Lines[0].Counted)); // the 0.2 one is under min_score
        Assert.Equal("empty", scorer.Score([]).Verdict);
        Assert.Equal("someone", scorer.Score([D("person"), D("tv"), D("laptop"), D("cell phone")]).Verdict); // 1 + 1 - 1 = 1
    }

    [Fact]
    public async Task Score_RealPhotos_WithTheCocoDetector_CountsWhatDetectFinds()
    {
        using var detector = DetectorService.Open("nanodet");
        var recipe = ScoreRecipeParser.Parse("points:\n  person: 2 each up to 3\nverdicts:\n  - {min: 6, say: full}\n  - {say: room left}");
        var scorer = new Scorer(recipe, detector.Labels, detector.Name);
        int full = 0;
        await foreach (var r in detector.DetectFilesAsync(SamplePhotos.All, new DetectorOptions { MinScore = recipe.MinScore, Classes = scorer.Classes }))
        {
            var plain = detector.DetectFile(r.Source).Detections.Count(d => d.Label == "person");
            Assert.True(plain >= 1, r.Source);
            var score = scorer.Score(r.Detections);
            Assert.Equal(plain, score.Lines[0].Found);
            Assert.Equal(2.0 * Math.Min(plain, 3), score.Total);
            Assert.Equal(plain >= 3 ? "full" : "room left", score.Verdict);
            if (plain >= 3) full++;
        }
        Assert.InRange(full, 1, 5); // the six group photos differ: both verdicts occur
    }
}
