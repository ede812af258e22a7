using Lookout.Core;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Lookout.Scale;

namespace Lookout.Scale.Broker;

/// <summary>
/// Opens a RabbitMQ connection from an amqp:// URI with automatic recovery on (a broker restart is ridden out:
/// the client reconnects and re-subscribes). The first connection is retried with backoff for
/// <paramref name="patience"/>, so workers may start before the broker.
/// </summary>
public static class BrokerConnector
{
    public static async Task<IConnection> ConnectAsync(string uri, string clientName, TimeSpan patience, Action<string>? log, CancellationToken ct)
    {
        ConnectionFactory factory;
        try
        {
            factory = new ConnectionFactory
            {
                Uri = new Uri(uri),
                AutomaticRecoveryEnabled = true,
                TopologyRecoveryEnabled = true,
                NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
                RequestedHeartbeat = TimeSpan.FromSeconds(15),
                ClientProvidedName = clientName,
                // Batches carry image bytes: allow up to 128 MB, the broker's own default limit.
                MaxInboundMessageBodySize = 128 * 1024 * 1024,
            };
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException)
        {
            throw new LookoutException($"--broker must be an amqp:// URI like amqp://user:pass@host:5672/ ({e.Message})");
        }
        var backoff = new Backoff();
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try { return await factory.CreateConnectionAsync(clientName, ct); }
            catch (BrokerUnreachableException e) when (DateTime.UtcNow < deadline)
            {
                var wait = backoff.Next();
                log?.Invoke($"broker {factory.HostName}:{factory.Port} unreachable ({e.InnerException?.Message ?? e.Message}); retrying in {wait.TotalSeconds:0.0} s");
                await Task.Delay(wait, ct);
            }
            catch (BrokerUnreachableException e)
            {
                throw new LookoutException($"cannot reach the broker at {factory.HostName}:{factory.Port}: {e.InnerException?.Message ?? e.Message}");
            }
        }
    }
}
