using Lookout.Core.Watch.Rules;

namespace Lookout.Core.Tests.Watch;

public class RulesLoaderTests
{
    private const string Example = """
        rules:
          - name: stranger
            when: { label: person, min_score: 0.6, frames: 3, of_last: 5 }
            source: detector
            zone: [[0,0],[1,0],[1,1],[0,1]]
            ignore: [cat]
            cooldown: 30s
            actions: [snapshot, webhook, mqtt]
          - name: anything
            when: { label: any }
        actions:
          snapshot: { dir: events }
          webhook: { url: "http://127.0.0.1:9000/hook", timeout: 2s }
          mqtt: { host: 127.0.0.1, port: 1883, topic: lookout/events }
        """;

    [Fact]
    public void ParsesTheDocumentedExample_WithDefaults()
    {
        var set = RulesLoader.Parse(Example);
        var r = set.Rules[0];
        Assert.Equal(("stranger", "person", 0.6f, 3, 5), (r.Name, r.When.Label, r.When.MinScore, r.When.Frames, r.When.OfLast));
        Assert.Equal(RuleSource.Detector, r.Source);
        Assert.Equal(4, r.Zone!.Count);
        Assert.Equal(["cat"], r.Ignore);
        Assert.Equal(TimeSpan.FromSeconds(30), r.Cooldown);
        Assert.Equal(["snapshot", "webhook", "mqtt"], r.Actions);
        Assert.Equal(new Uri("http://127.0.0.1:9000/hook"), set.Actions.Webhook!.Url);
        Assert.Equal(TimeSpan.FromSeconds(2), set.Actions.Webhook.Timeout);
        Assert.Equal(("127.0.0.1", 1883, "lookout/events"), (set.Actions.Mqtt!.Host, set.Actions.Mqtt.Port, set.Actions.Mqtt.Topic));

        var any = set.Rules[1];
        Assert.Null(any.When.Label);                                  // "any"
        Assert.Equal((0.5f, 1, 1), (any.When.MinScore, any.When.Frames, any.When.OfLast));
        Assert.Equal(RuleSource.Classifier, any.Source);
        Assert.Equal(["snapshot"], any.Actions);
    }

    [Fact]
    public void UnknownKeys_GetDidYouMean_AndAllProblemsAreListedWithLines()
    {
        const string yaml = """
            rules:
              - name: a
                when: { label: person, min_scor: 0.6 }
                cooldwn: 10s
                actions: [snapshot, webhok]
              - name: b
                when: { label: person, min_score: 1.5, frames: 4, of_last: 2 }
                source: detectr
            """;
        var e = Assert.Throws<RulesConfigException>(() => RulesLoader.Parse(yaml, "r.yaml"));
        Assert.Contains(e.Problems, p => p.StartsWith("line 3:") && p.Contains("'min_scor'") && p.Contains("did you mean 'min_score'?"));
        Assert.Contains(e.Problems, p => p.StartsWith("line 4:") && p.Contains("did you mean 'cooldown'?"));
        Assert.Contains(e.Problems, p => p.Contains("unknown action 'webhok'") && p.Contains("did you mean 'webhook'?"));
        Assert.Contains(e.Problems, p => p.Contains("'min_score'") && p.Contains("0..1"));
        Assert.Contains(e.Problems, p => p.Contains("frames (4) cannot exceed of_last (2)"));
        Assert.Contains(e.Problems, p => p.Contains("unknown source 'detectr'") && p.Contains("did you mean 'detector'?"));
        Assert.StartsWith("r.yaml: invalid rules (6 problems)", e.Message);
    }

    [Theory]
    [InlineData("rules:\n  - name: a\n    when: { label: person }\n    zone: [[0,0],[1,0],[1,1]]\n", "a zone needs boxes")]
    [InlineData("rules:\n  - name: a\n    when: { label: person }\n    actions: [mqtt]\n", "action 'mqtt' is used but not configured")]
    [InlineData("rules:\n  - name: a\n    when: { label: person }\n    source: detector\n    zone: [[0,0],[2,0],[1,1]]\n", "zone points must be [x, y] pairs")]
    [InlineData("rules:\n  - name: a\n    when: { label: person }\n    cooldown: soon\n", "must be a duration")]
    [InlineData("rules:\n  - name: a\n    when: { label: cat }\n    ignore: [cat]\n", "ignores its own label")]
    [InlineData("rules:\n  - name: a\n    when: { label: cat }\n  - name: a\n    when: { label: dog }\n", "used 2 times")]
    [InlineData("rules: []\n", "non-empty 'rules:' list")]
    [InlineData("rules:\n  - name: a\n    when: { label: person\n", "not valid YAML")]
    [InlineData("rules:\n  - name: a\n    when: { label: person }\nactions:\n  webhook: { url: ftp://x }\n", "must be an absolute http")]
    public void InvalidFiles_FailWithAClearReason(string yaml, string expected)
    {
        var e = Assert.Throws<RulesConfigException>(() => RulesLoader.Parse(yaml));
        Assert.Contains(e.Problems, p => p.Contains(expected));
    }

    [Theory]
    [InlineData("30s", 30.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("2m", 120.0)]
    [InlineData("1m30s", 90.0)]
    [InlineData("1h", 3600.0)]
    [InlineData("12", 12.0)]
    public void Durations(string text, double seconds)
    {
        Assert.True(DurationParser.TryParse(text, out var t));
        Assert.Equal(seconds, t.TotalSeconds, 6);
    }
}

public class ExampleRulesTests
{
    [Fact]
    public void TheShippedExampleLoads()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var set = RulesLoader.Load(Path.Combine(dir!.FullName, "examples", "watch-rules.yaml"));
        Assert.Equal(["stranger", "car-on-the-drive"], set.Rules.Select(r => r.Name));
        Assert.Equal(Rearm.Absent, set.Rules[0].Rearm);
        Assert.Equal(0.02f, set.Rules[1].When.MinArea);
        Assert.Equal(TimeSpan.FromMinutes(5), set.Rules[1].Cooldown);
    }
}
