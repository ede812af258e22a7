using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Lookout.Core.Tests.Video;
using Lookout.Core.Watch;
using Lookout.Core.Watch.Alerts;
using Lookout.Core.Watch.Alerts.Actions;
using Lookout.Core.Watch.Rules;
using MQTTnet;

namespace Lookout.Core.Tests.Watch;

public class AlertActionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-actions").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task MqttEvent_ReachesASubscriber_OnARealBroker()
    {
        using var broker = await MosquittoBroker.StartAsync();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        var received = new TaskCompletionSource<(string Topic, string Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString()));
            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("test-sub").Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("lookout/events").Build());

        var clip = await WatchTestKit.BlobClip(Path.Combine(_dir, "person.mp4"), Scenes.PersonRed);
        var rules = RulesLoader.Parse($$"""
            rules:
              - name: stranger
                when: { label: person, min_score: 0.6, frames: 3, of_last: 5 }
                actions: [snapshot, mqtt]
            actions:
              mqtt: { host: 127.0.0.1, port: {{broker.Port}}, topic: lookout/events }
            """);
        using var analyzer = WatchTestKit.Tiny(_dir);
        var observer = new RecordingObserver();
        var stats = await new WatchService().RunAsync(WatchTestKit.File(clip), analyzer, rules,
            new WatchOptions { Workspace = Path.Combine(_dir, "ws"), Camera = "porch" }, observer);

        Assert.Equal(1, stats.Events);
        var outcomes = Assert.Single(observer.Alerts).Outcomes;
        Assert.All(outcomes, o => Assert.True(o.Ok, $"{o.Action}: {o.Detail}"));
        var (topic, payload) = await received.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("lookout/events", topic);
        using var doc = JsonDocument.Parse(payload);
        Assert.Equal("new", doc.RootElement.GetProperty("type").GetString());
        var after = doc.RootElement.GetProperty("after");
        Assert.Equal("person", after.GetProperty("label").GetString());
        Assert.Equal("porch", after.GetProperty("camera").GetString());
        Assert.True(after.GetProperty("score").GetDouble() >= 0.6);
        Assert.True(File.Exists(after.GetProperty("snapshot").GetString()));
        Assert.True(after.GetProperty("start_time").GetDouble() > 1.7e9);
    }

    [Fact]
    public async Task MqttBrokerDown_IsAFailedOutcome_NotACrash()
    {
        var port = FreePort();
        await using var mqtt = new MqttNotifier(new MqttActionConfig("127.0.0.1", port, "t"), TimeSpan.FromSeconds(2));
        var outcome = await mqtt.NotifyAsync(Alert(), CancellationToken.None);
        Assert.False(outcome.Ok);
        Assert.Contains($"127.0.0.1:{port}", outcome.Detail);
    }

    [Fact]
    public async Task Webhook_PostsTheEventJson_AndReportsTimeouts()
    {
        using var listener = new HttpListener();
        var port = FreePort();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var body = new TaskCompletionSource<(string Method, string ContentType, string Body)>();
        _ = Task.Run(async () =>
        {
            var ctx = await listener.GetContextAsync();
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            body.TrySetResult((ctx.Request.HttpMethod, ctx.Request.ContentType ?? "", await reader.ReadToEndAsync()));
            ctx.Response.StatusCode = 204;
            ctx.Response.Close();
            // The second request never gets an answer: the notifier must give up after its timeout.
            await listener.GetContextAsync();
        });
        await using var hook = new WebhookNotifier(new WebhookActionConfig(new Uri($"http://127.0.0.1:{port}/hook"), TimeSpan.FromSeconds(1)));
        var ok = await hook.NotifyAsync(Alert(), CancellationToken.None);
        Assert.True(ok.Ok, ok.Detail);
        var (method, type, json) = await body.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(("POST", "application/json"), (method, type));
        Assert.Equal("cat", JsonDocument.Parse(json).RootElement.GetProperty("after").GetProperty("label").GetString());

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var timedOut = await hook.NotifyAsync(Alert(), CancellationToken.None);
        Assert.False(timedOut.Ok);
        Assert.Contains("did not answer within 1 s", timedOut.Detail);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.8, 4);
    }

    private static AlertEvent Alert() => new("0123456789abcdef", "yard", "r", "cat", 0.9f, 0.95f, DateTimeOffset.UtcNow,
        TimeSpan.FromSeconds(3), 30, null, null);

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
