using Lookout.Core.Models;

namespace Lookout.Core.Tests.Models;

public class DecodedQueueTests
{
    [Fact]
    public async Task WhileADecoderIsDecoding_OnlyAFullBatchIsHandedOut()
    {
        var queue = new DecodedQueue<int>(16);
        queue.BeginDecoding();
        queue.Add(0, CancellationToken.None);
        var take = Task.Run(() => queue.TakeBatch(4, CancellationToken.None));
        for (int i = 1; i < 6; i++) queue.Add(i, CancellationToken.None);
        // Whenever the taker ran, a decoder was at work, so it could only leave with a full batch.
        Assert.Equal([0, 1, 2, 3], await take);
    }

    [Fact]
    public void WhenNoDecoderIsDecoding_WhatIsWaitingIsHandedOut()
    {
        var queue = new DecodedQueue<int>(16);
        queue.BeginDecoding();
        queue.Add(7, CancellationToken.None);
        queue.EndDecoding(); // e.g. every decoder now waits for room in the run's window
        Assert.Equal([7], queue.TakeBatch(8, CancellationToken.None));
    }

    [Fact]
    public async Task APartialBatchWaitsForTheDecoderToFinish_ThenCompletionDrainsTheRest()
    {
        var queue = new DecodedQueue<int>(16);
        queue.BeginDecoding();
        queue.Add(1, CancellationToken.None);
        var take = Task.Run(() => queue.TakeBatch(8, CancellationToken.None));
        queue.Add(2, CancellationToken.None);
        queue.EndDecoding();
        Assert.Equal([1, 2], await take); // a decoder was at work until both were queued
        queue.Complete();
        Assert.Empty(queue.TakeBatch(8, CancellationToken.None));
    }

    [Fact]
    public async Task CancellationWakesAWaitingTaker()
    {
        var queue = new DecodedQueue<int>(4);
        queue.BeginDecoding();
        using var cts = new CancellationTokenSource();
        var take = Task.Run(() => queue.TakeBatch(4, cts.Token));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take);
    }
}
