using Lookout.Server.Batching;

namespace Lookout.Server.Tests.Batching;

/// <summary>The micro-batching policy on its own: no model, no threads, no clocks; every step is deterministic.</summary>
public class AdaptiveBatchQueueTests
{
    [Fact]
    public void LoneRequest_OnAnIdleModel_IsTakenAtOnce_Alone()
    {
        var queue = new AdaptiveBatchQueue<string>(capacity: 16);
        Assert.NotNull(queue.TryAdd("a"));
        Assert.Equal(["a"], queue.TakeBatch(max: 8)); // returns what waits; it does not wait for company
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public void RequestsArrivingWhileAPassRuns_GoTogetherInTheNextPass()
    {
        var queue = new AdaptiveBatchQueue<string>(capacity: 16);
        queue.TryAdd("first");
        Assert.Equal(["first"], queue.TakeBatch(8)); // the pass for "first" now runs...
        foreach (var s in new[] { "b", "c", "d" }) queue.TryAdd(s); // ...and these queue behind it
        Assert.Equal(["b", "c", "d"], queue.TakeBatch(8));
        queue.TryAdd("e");
        Assert.Equal(["e"], queue.TakeBatch(8)); // the load dropped: the batch shrinks with it
    }

    [Fact]
    public void BatchCap_IsRespected_OldestFirst()
    {
        var queue = new AdaptiveBatchQueue<int>(capacity: 16);
        for (int i = 0; i < 10; i++) queue.TryAdd(i);
        Assert.Equal([0, 1, 2, 3], queue.TakeBatch(4));
        Assert.Equal([4, 5, 6, 7], queue.TakeBatch(4));
        Assert.Equal([8, 9], queue.TakeBatch(4));
        Assert.Empty(queue.TryTakeBatch(4));
    }

    [Fact]
    public void CancelledWaitingRequest_LeavesTheQueue_AndFreesItsPlace()
    {
        var queue = new AdaptiveBatchQueue<string>(capacity: 3);
        queue.TryAdd("a");
        var b = queue.TryAdd("b")!;
        queue.TryAdd("c");
        Assert.Null(queue.TryAdd("full")); // bounded: the caller answers 503 at once

        Assert.True(queue.TryRemove(b));
        Assert.Equal(2, queue.Count);
        Assert.NotNull(queue.TryAdd("d")); // its place is free again
        Assert.False(queue.TryRemove(b)); // removing twice is harmless

        Assert.Equal(["a", "c", "d"], queue.TakeBatch(8)); // "b" never reaches the model
    }

    [Fact]
    public void RequestAlreadyTakenIntoABatch_CannotBeRemoved()
    {
        var queue = new AdaptiveBatchQueue<string>(capacity: 4);
        var a = queue.TryAdd("a")!;
        Assert.Equal(["a"], queue.TakeBatch(4));
        Assert.False(queue.TryRemove(a)); // it is in the running pass; the batcher drops its answer instead
    }

    [Fact]
    public async Task Taker_SleepsWhileIdle_WakesForTheFirstRequest_AndStopsAfterCompleteDrains()
    {
        var queue = new AdaptiveBatchQueue<string>(capacity: 4);
        var taken = Task.Factory.StartNew(() => queue.TakeBatch(4), TaskCreationOptions.LongRunning);
        queue.TryAdd("a");
        Assert.Equal(["a"], await taken);

        queue.TryAdd("b");
        queue.Complete();
        Assert.Null(queue.TryAdd("late")); // completed: nothing new is accepted
        Assert.Equal(["b"], queue.TakeBatch(4)); // what waited is still served
        Assert.Empty(queue.TakeBatch(4)); // then the taker is told to stop instead of blocking
    }
}
