using System.Globalization;
using Lookout.Core.Models;
using Lookout.Core.Training;

namespace Lookout.Core.Runs;

/// <summary>
/// Writes <c>metrics.tsv</c>, one row per epoch, flushed as it goes so a crashed run still shows its curve. A new
/// writer starts the file afresh; <see cref="Append"/> keeps the rows a killed run already wrote (a resumed run's
/// history is appended, never lost).
/// </summary>
public sealed class MetricsTsvWriter : ITrainingObserver, IDisposable
{
    public const string Header = "epoch\ttrain_loss\ttrain_acc\tval_loss\tval_acc\timproved\tseconds";
    private readonly StreamWriter _w;

    public MetricsTsvWriter(string path) : this(path, append: false) { }

    private MetricsTsvWriter(string path, bool append)
    {
        if (append && File.Exists(path)) DropTornLastLine(path);
        bool keep = append && File.Exists(path) && new FileInfo(path).Length > 0;
        if (keep) LoggedEpochs = Read(path).Select(m => m.Epoch).ToHashSet();
        _w = new StreamWriter(path, append: keep) { AutoFlush = true };
        if (!keep) _w.WriteLine(Header);
    }

    /// <summary>Opens <paramref name="path"/> to add rows after the ones already there (creating it with its header when missing).</summary>
    public static MetricsTsvWriter Append(string path) => new(path, append: true);

    /// <summary>Epochs that already had a row when the file was opened.</summary>
    public IReadOnlySet<int> LoggedEpochs { get; } = new HashSet<int>();

    public void OnEpochEnd(EpochMetrics m) => _w.WriteLine(string.Join('\t',
        m.Epoch.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss), F(m.TrainAccuracy), F(m.ValLoss), F(m.ValAccuracy),
        m.Improved ? "1" : "0", m.Elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)));

    /// <summary>Reads a metrics.tsv back (for <c>runs list</c> / <c>runs show</c>); empty cells are NaN.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string path)
    {
        static double D(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        return File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).Where(c => c.Length >= 7)
            .Select(c => new EpochMetrics(int.Parse(c[0], CultureInfo.InvariantCulture), D(c[1]), D(c[2]), D(c[3]), D(c[4]), c[5] == "1",
                TimeSpan.FromSeconds(D(c[6]))))
            .ToList();
    }

    /// <summary>A kill mid-write can leave half a row; it is cut off so appended rows start on a line of their own.</summary>
    private static void DropTornLastLine(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (f.Length == 0) return;
        f.Position = f.Length - 1;
        if (f.ReadByte() == '\n') return;
        long end = f.Length - 1;
        while (end > 0) { f.Position = end - 1; if (f.ReadByte() == '\n') break; end--; }
        f.SetLength(end);
    }

    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("0.######", CultureInfo.InvariantCulture);

    public void Dispose() => _w.Dispose();
}

/// <summary>Human-readable run log (<c>log.txt</c>): stages, warnings, epochs, with UTC timestamps.</summary>
public sealed class RunLog : ITrainingObserver, IDisposable
{
    private readonly StreamWriter _w;
    private readonly Lock _lock = new();
    private int _lastEmbedPct = -1;

    public RunLog(string path) => _w = new StreamWriter(path, append: true) { AutoFlush = true };

    public void Write(string line)
    {
        lock (_lock) _w.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}");
    }

    public void OnStage(string stage) => Write(stage);
    public void OnWarning(string message) => Write("warning: " + message);

    public void OnEmbeddingProgress(BatchProgress p)
    {
        int pct = p.Total == 0 ? 100 : 100 * p.Done / p.Total;
        if (pct / 25 == _lastEmbedPct / 25 && p.Done != p.Total) return; // every quarter is enough for a log
        _lastEmbedPct = pct;
        Write($"embedded {p.Done}/{p.Total} ({p.Failed} failed, {p.ImagesPerSecond:0.0} img/s)");
    }

    public void OnEpochEnd(EpochMetrics m) => Write(string.Create(CultureInfo.InvariantCulture,
        $"epoch {m.Epoch}: train loss {m.TrainLoss:0.0000} acc {m.TrainAccuracy:0.000}, val loss {m.ValLoss:0.0000} acc {m.ValAccuracy:0.000}{(m.Improved ? " *" : "")}"));

    public void Dispose() => _w.Dispose();
}
