using System.Collections.Immutable;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Inference;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Watch;

public class RuleEvaluatorTests
{
    private static Rule MakeRule(string? label = "person", float min = 0.6f, int frames = 3, int ofLast = 5, double cooldown = 30,
        RuleSource source = RuleSource.Classifier, IReadOnlyList<PointF>? zone = null, params string[] ignore) =>
        new("r", new RuleCondition(label, min, frames, ofLast), source, zone, ignore.ToHashSet(), TimeSpan.FromSeconds(cooldown), ["snapshot"]);

    private static FrameAnalysis Classified(params (string Label, float Score)[] p) =>
        new(p.Select(x => new Prediction(x.Label, x.Score)).OrderByDescending(x => x.Score).ToArray(), [], []);

    private static FrameAnalysis Boxes(params Detection[] d) => new([], d, []);

    /// <summary>Feeds hit (score) / miss (null) frames one second apart; returns the seconds at which it fired.</summary>
    private static List<double> Run(Rule rule, params float?[] scores)
    {
        var window = RuleWindow.Empty;
        var fired = new List<double>();
        for (int t = 0; t < scores.Length; t++)
        {
            var hit = scores[t] is { } s ? new RuleHit("person", s, null) : null;
            (window, var decision) = RuleEvaluator.Step(rule, window, hit, TimeSpan.FromSeconds(t));
            if (decision is not null) fired.Add(t);
            Assert.True(window.Recent.Length <= rule.When.OfLast);
        }
        return fired;
    }

    [Fact]
    public void KOfN_FiresOnTheKthHitInsideTheWindow()
    {
        var rule = MakeRule(frames: 3, ofLast: 5, cooldown: 1000);
        Assert.Equal([4.0], Run(rule, 0.9f, null, 0.9f, null, 0.9f));          // 3 of the last 5
        Assert.Empty(Run(rule, 0.9f, null, null, 0.9f, null, null, 0.9f));    // never 3 within 5
        Assert.Equal([2.0], Run(rule, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f));          // then cooldown holds it
    }

    [Fact]
    public void Cooldown_UsesFrameTime()
    {
        var rule = MakeRule(frames: 1, ofLast: 1, cooldown: 3);
        Assert.Equal([0.0, 3.0, 6.0], Run(rule, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f));
    }

    [Fact]
    public void Score_IsTheMedianOfTheWindowHits()
    {
        var rule = MakeRule(frames: 3, ofLast: 3);
        var w = RuleWindow.Empty with { Recent = ImmutableArray.Create<float?>(0.95f, 0.61f) };
        var (_, d) = RuleEvaluator.Step(rule, w, new RuleHit("person", 0.7f, null), TimeSpan.Zero);
        Assert.Equal(0.7f, d!.Score);
        Assert.Equal(0.95f, d.TopScore);
    }

    [Fact]
    public void Classifier_IgnoredLabelThatWins_SuppressesTheHit()
    {
        var rule = MakeRule(label: "person", min: 0.3f, ignore: "cat");
        Assert.Equal("person", RuleMatcher.Match(rule, Classified(("person", 0.6f), ("cat", 0.3f)))!.Label);
        Assert.Null(RuleMatcher.Match(rule, Classified(("person", 0.35f), ("cat", 0.6f))));
        Assert.Null(RuleMatcher.Match(rule, Classified(("person", 0.2f), ("background", 0.8f))));   // below min_score

        var any = MakeRule(label: null, min: 0.5f, ignore: ["cat", "background"]);
        Assert.Equal("dog", RuleMatcher.Match(any, Classified(("dog", 0.7f), ("cat", 0.2f)))!.Label);
        Assert.Null(RuleMatcher.Match(any, Classified(("cat", 0.9f), ("dog", 0.1f))));
    }

    [Fact]
    public void Detector_ZoneAndOverlappingIgnoredBox()
    {
        var left = new PointF[] { new(0, 0), new(0.5f, 0), new(0.5f, 1), new(0, 1) };
        var rule = MakeRule(source: RuleSource.Detector, zone: left, min: 0.5f, ignore: "cat");
        var inLeft = new BoxF(0.1f, 0.1f, 0.3f, 0.5f);
        var inRight = new BoxF(0.6f, 0.1f, 0.9f, 0.5f);
        Assert.NotNull(RuleMatcher.Match(rule, Boxes(new Detection("person", 0.8f, inLeft))));
        Assert.Null(RuleMatcher.Match(rule, Boxes(new Detection("person", 0.8f, inRight))));
        // The same object also detected as a cat with a higher score: suppressed. A cat elsewhere: not.
        Assert.Null(RuleMatcher.Match(rule, Boxes(new Detection("person", 0.6f, inLeft), new Detection("cat", 0.9f, inLeft))));
        var hit = RuleMatcher.Match(rule, Boxes(new Detection("person", 0.6f, inLeft), new Detection("cat", 0.9f, inRight)));
        Assert.Equal(inLeft, hit!.Box);
    }

    [Fact]
    public void UnknownFaces_OnlyMatchUnmatchedFaces()
    {
        var rule = MakeRule(label: null, source: RuleSource.FaceUnknown, min: 0.5f);
        var box = new BoxF(0.2f, 0.2f, 0.4f, 0.4f);
        Assert.Null(RuleMatcher.Match(rule, new FrameAnalysis([], [], [new Detection("mila", 0.9f, box)])));
        Assert.Equal("face_unknown", RuleMatcher.Match(rule, new FrameAnalysis([], [], [new Detection(FrameAnalysis.UnknownFace, 0.9f, box)]))!.Label);
    }

    [Fact]
    public void ZoneContains_ConcavePolygon()
    {
        // An L shape: the notch at top-right is outside.
        var l = new PointF[] { new(0, 0), new(0.5f, 0), new(0.5f, 0.5f), new(1, 0.5f), new(1, 1), new(0, 1) };
        Assert.True(Zone.Contains(l, 0.25f, 0.25f));
        Assert.False(Zone.Contains(l, 0.75f, 0.25f));
        Assert.True(Zone.Contains(l, 0.75f, 0.75f));
        Assert.True(Zone.Contains(l, 0.5f, 0.25f));   // on the border
    }
}

public class RuleRearmAndAreaTests
{
    [Fact]
    public void RearmAbsent_FiresOncePerVisit()
    {
        var rule = RulesLoader.Parse("rules:\n  - name: r\n    when: { label: person, frames: 1, of_last: 3 }\n    cooldown: 1s\n    rearm: absent\n").Rules[0];
        Assert.Equal(Rearm.Absent, rule.Rearm);
        var window = RuleWindow.Empty;
        var fired = new List<int>();
        // present 0-9 (a long stay), absent 10-12 (a full window of misses), back at 13-15.
        for (int t = 0; t < 16; t++)
        {
            var hit = t is < 10 or >= 13 ? new RuleHit("person", 0.9f, null) : null;
            (window, var d) = RuleEvaluator.Step(rule, window, hit, TimeSpan.FromSeconds(t));
            if (d is not null) fired.Add(t);
        }
        Assert.Equal([0, 13], fired);
    }

    [Fact]
    public void BoxArea_Bounds_AndValidation()
    {
        var rule = RulesLoader.Parse("rules:\n  - name: r\n    source: detector\n    when: { label: person, min_area: 0.01, max_area: 0.5 }\n").Rules[0];
        FrameAnalysis With(BoxF b) => new([], [new Detection("person", 0.9f, b)], []);
        Assert.NotNull(RuleMatcher.Match(rule, With(new BoxF(0.1f, 0.1f, 0.4f, 0.6f))));       // 0.15 of the frame
        Assert.Null(RuleMatcher.Match(rule, With(new BoxF(0.1f, 0.1f, 0.15f, 0.15f))));         // 0.0025: too small
        Assert.Null(RuleMatcher.Match(rule, With(BoxF.Full)));                                  // 1.0: too big
        var e = Assert.Throws<RulesConfigException>(() => RulesLoader.Parse("rules:\n  - name: r\n    when: { label: person, min_area: 0.1 }\n    rearm: absnt\n"));
        Assert.Contains(e.Problems, p => p.Contains("min_area/max_area need boxes"));
        Assert.Contains(e.Problems, p => p.Contains("did you mean 'absent'?"));
    }
}
