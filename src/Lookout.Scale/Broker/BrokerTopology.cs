using RabbitMQ.Client;

namespace Lookout.Scale.Broker;

/// <summary>
/// The queues every submitter and worker declares (declaring is idempotent): one durable quorum queue of batches,
/// replicated and fsynced by the broker, and one dead-letter queue. A batch the workers reject for good (a corrupt
/// image after its tries) is published to the dead-letter queue with the reason in its headers; a batch that keeps
/// killing workers is dead-lettered by the broker itself once its delivery count passes the limit.
/// </summary>
public static class BrokerTopology
{
    public const string WorkQueue = "lookout.batches";
    public const string DeadLetterQueue = "lookout.dead";
    /// <summary>Header with why a message was dead-lettered by a worker.</summary>
    public const string ReasonHeader = "x-lookout-reason";
    /// <summary>Header counting how many times a worker tried the items of a message (1 on the first try).</summary>
    public const string AttemptHeader = "x-lookout-attempt";
    /// <summary>Set by quorum queues on redelivery: how many times the broker has handed this message out before.</summary>
    public const string DeliveryCountHeader = "x-delivery-count";
    /// <summary>The broker's backstop: after this many deliveries (workers crashing on it) it dead-letters the message itself.</summary>
    public const int BrokerDeliveryLimit = 20;

    public static async Task DeclareAsync(IChannel channel, CancellationToken ct)
    {
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
        await channel.QueueDeclareAsync(WorkQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = BrokerDeliveryLimit,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = DeadLetterQueue,
            }, cancellationToken: ct);
    }

    public static BasicProperties Persistent(int attempt, string? reason = null)
    {
        var headers = new Dictionary<string, object?> { [AttemptHeader] = attempt };
        if (reason is not null) headers[ReasonHeader] = reason;
        return new BasicProperties { Persistent = true, DeliveryMode = DeliveryModes.Persistent, ContentType = "application/x-lookout-batch", Headers = headers };
    }

    /// <summary>An integer header as the client hands it back (AMQP field tables carry int, long or byte[] text).</summary>
    public static long IntHeader(IReadOnlyBasicProperties props, string name) =>
        props.Headers?.TryGetValue(name, out var v) == true ? v switch
        {
            int i => i,
            long l => l,
            short s => s,
            byte b => b,
            byte[] text when long.TryParse(System.Text.Encoding.UTF8.GetString(text), out var p) => p,
            _ => 0,
        } : 0;
}
