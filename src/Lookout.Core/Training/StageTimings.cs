using System.Diagnostics;
using System.Globalization;

namespace Lookout.Core.Training;

/// <summary>Wall time of one named stage of a run.</summary>
public sealed record StageTiming(string Stage, double Seconds);

/// <summary>Where a run's time goes (scan, embed, train, calibrate, export, eval, plots): measured, in order, summable.</summary>
public sealed class StageTimings
{
    private readonly List<StageTiming> _stages = [];

    public IReadOnlyList<StageTiming> Stages => _stages;

    /// <summary>Times until the returned scope is disposed; a stage measured twice adds up.</summary>
    public IDisposable Measure(string stage) => new Scope(this, stage);

    public T Measure<T>(string stage, Func<T> work)
    {
        using var _ = Measure(stage);
        return work();
    }

    public void Add(string stage, double seconds)
    {
        int i = _stages.FindIndex(s => s.Stage == stage);
        if (i >= 0) _stages[i] = _stages[i] with { Seconds = _stages[i].Seconds + seconds };
        else _stages.Add(new StageTiming(stage, seconds));
    }

    public override string ToString() =>
        string.Join(", ", _stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage} {s.Seconds:0.00} s")));

    private sealed class Scope(StageTimings owner, string stage) : IDisposable
    {
        private readonly long _start = Stopwatch.GetTimestamp();
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Add(stage, Stopwatch.GetElapsedTime(_start).TotalSeconds);
        }
    }
}
