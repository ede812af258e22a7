using Lookout.Core.Watch.Rules;
using MQTTnet;

namespace Lookout.Core.Watch.Alerts.Actions;

/// <summary>
/// Publishes the event JSON to an MQTT topic (QoS 1). One client, connected on first use and reconnected on the
/// next event after a failure; connect and publish are bounded by a timeout.
/// </summary>
public sealed class MqttNotifier(MqttActionConfig config, TimeSpan? timeout = null) : IAlertNotifier
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(5);

    public string Name => ActionsConfig.MqttName;

    public async Task<ActionOutcome> NotifyAsync(AlertEvent alert, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(_timeout);
        try
        {
            if (!_client.IsConnected)
            {
                var builder = new MqttClientOptionsBuilder()
                    .WithTcpServer(config.Host, config.Port)
                    .WithClientId(config.ClientId ?? $"lookout-{Environment.ProcessId}-{Guid.NewGuid():N}"[..32])
                    .WithCleanSession();
                if (config.Username is not null) builder = builder.WithCredentials(config.Username, config.Password);
                await _client.ConnectAsync(builder.Build(), bounded.Token).ConfigureAwait(false);
            }
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(config.Topic)
                .WithPayload(EventPayload.Serialize(alert))
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                .WithContentType("application/json")
                .Build();
            var result = await _client.PublishAsync(message, bounded.Token).ConfigureAwait(false);
            return result.IsSuccess
                ? new ActionOutcome(Name, true, config.Topic)
                : new ActionOutcome(Name, false, $"broker refused the message ({result.ReasonCode})");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ActionOutcome(Name, false, $"mqtt://{config.Host}:{config.Port} did not answer within {_timeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Adapter.MqttConnectingFailedException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return new ActionOutcome(Name, false, $"mqtt://{config.Host}:{config.Port}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_client.IsConnected) await _client.DisconnectAsync(new MqttClientDisconnectOptions()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException) { }
        _client.Dispose();
    }
}
