using System.Text;
using Lookout.Scale.Messages;
using RabbitMQ.Client;

namespace Lookout.Scale.Broker;

/// <summary>One message in the dead-letter queue: which job and images, why, after how many tries.</summary>
public sealed record DeadLetter(string? JobId, string? ModelId, IReadOnlyList<string> Names, string Reason, long Attempt, long Bytes, bool Replayed);

/// <summary>
/// Reads the dead-letter queue and, on request, puts messages back on the work queue. Reading takes every message
/// unacknowledged (so each is seen once) and hands back (requeues) the ones it keeps when it is done: they stay in
/// the queue, possibly in another order. A replayed message is published to the work queue as a first try (publisher confirm), and only
/// then removed from the dead-letter queue: a crash in between leaves it in both, and the workers' idempotent writes
/// make the second copy harmless.
/// </summary>
public static class DeadLetters
{
    /// <param name="replay">Which dead letters to put back on the work queue (null: none, only list).</param>
    public static async Task<IReadOnlyList<DeadLetter>> ReadAsync(IConnection broker, Func<DeadLetter, bool>? replay, int limit, CancellationToken ct)
    {
        await using var channel = await broker.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        await BrokerTopology.DeclareAsync(channel, ct);
        var letters = new List<DeadLetter>();
        var kept = new List<ulong>();
        try
        {
            while (letters.Count < limit && await channel.BasicGetAsync(BrokerTopology.DeadLetterQueue, autoAck: false, ct) is { } message)
            {
                var letter = Describe(message);
                if (replay?.Invoke(letter) == true)
                {
                    await channel.BasicPublishAsync("", BrokerTopology.WorkQueue, mandatory: true, BrokerTopology.Persistent(1), message.Body, ct);
                    await channel.BasicAckAsync(message.DeliveryTag, multiple: false, ct);
                    letter = letter with { Replayed = true };
                }
                else kept.Add(message.DeliveryTag);
                letters.Add(letter);
            }
        }
        finally
        {
            // Back in the queue (closing the channel would do it too; this says so).
            foreach (var tag in kept) await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
        }
        return letters;
    }

    private static DeadLetter Describe(BasicGetResult message)
    {
        var reason = message.BasicProperties.Headers?.TryGetValue(BrokerTopology.ReasonHeader, out var r) == true && r is byte[] text
            ? Encoding.UTF8.GetString(text)
            : message.BasicProperties.Headers?.ContainsKey("x-death") == true ? "dead-lettered by the broker (delivery limit)" : "";
        long attempt = BrokerTopology.IntHeader(message.BasicProperties, BrokerTopology.AttemptHeader);
        try
        {
            var batch = BatchMessage.Decode(message.Body.Span);
            return new DeadLetter(batch.JobId, batch.ModelId, batch.Items.Select(i => i.Name).ToList(), reason, attempt, message.Body.Length, false);
        }
        catch (InvalidDataException e)
        {
            return new DeadLetter(null, null, [], reason.Length > 0 ? reason : $"unreadable message: {e.Message}", attempt, message.Body.Length, false);
        }
    }
}
