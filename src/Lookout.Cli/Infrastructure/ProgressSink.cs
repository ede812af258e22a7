using System.Diagnostics;
using Spectre.Console;

namespace Lookout.Cli.Infrastructure;

/// <summary>
/// Adapts Core's progress reports (stage, done, total) to Spectre.Console bars with rate and ETA, or to a few
/// plain lines on stderr when progress bars are off (CI logs, --quiet, redirected stderr).
/// </summary>
public sealed class ProgressSink
{
    private readonly CliOutput _output;
    private readonly ProgressContext? _context;
    private readonly Dictionary<string, (ProgressTask? Task, Stopwatch Clock, int LastDecile)> _stages = new();
    private readonly Lock _gate = new();

    private ProgressSink(CliOutput output, ProgressContext? context)
    {
        _output = output;
        _context = context;
    }

    public static async Task<T> RunAsync<T>(CliOutput output, Func<ProgressSink, Task<T>> work)
    {
        if (!output.ShowProgress) return await work(new ProgressSink(output, null));
        T result = default!;
        await new Progress(output.Err)
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx => { result = await work(new ProgressSink(output, ctx)); });
        return result;
    }

    /// <summary>Reports <paramref name="done"/> of <paramref name="total"/> units for a named stage.</summary>
    public void Report(string stage, double done, double total, string unit = "", string detail = "")
    {
        lock (_gate)
        {
            if (!_stages.TryGetValue(stage, out var s))
            {
                s = (_context?.AddTask(Markup.Escape(stage), maxValue: Math.Max(total, 1)), Stopwatch.StartNew(), -1);
                _stages[stage] = s;
            }
            // A rate over less than a second is noise (a cached first batch reads as 30,000 img/s).
            double seconds = s.Clock.Elapsed.TotalSeconds;
            string rateText = (unit.Length > 0 && seconds >= 1 ? $" {done / seconds:0.#} {unit}/s" : "") + (detail.Length > 0 ? $" {detail}" : "");
            if (s.Task is { } task)
            {
                task.MaxValue = Math.Max(total, 1);
                task.Value = Math.Min(done, task.MaxValue);
                task.Description = Markup.Escape($"{stage} {done:0}/{total:0}{rateText}");
            }
            else
            {
                // Plain mode: a line at 50% and at the end. Reports can arrive out of order (IProgress posts to the
                // thread pool), so only a higher decile than already printed counts.
                int decile = total > 0 ? (int)(10 * done / total) : 0;
                if (decile > s.LastDecile && ((decile >= 5 && s.LastDecile < 5) || done >= total))
                {
                    _output.Note($"{stage}: {done:0}/{total:0}{rateText}");
                    _stages[stage] = (null, s.Clock, decile);
                }
            }
        }
    }
}
