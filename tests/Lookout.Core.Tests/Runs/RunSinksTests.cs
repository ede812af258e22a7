using Lookout.Core.Runs;
using Lookout.Core.Training;

namespace Lookout.Core.Tests.Runs;

public class RunSinksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-sinks-").FullName;

    private static EpochMetrics Epoch(int n) => new(n, 1.0 / n, 0.5, 0.9 / n, 0.6, true, TimeSpan.FromSeconds(n));

    [Fact]
    public void Append_KeepsEarlierRows_DropsATornOne_AndSaysWhichEpochsItHas()
    {
        var path = Path.Combine(_dir, "metrics.tsv");
        using (var w = new MetricsTsvWriter(path)) { w.OnEpochEnd(Epoch(1)); w.OnEpochEnd(Epoch(2)); }
        File.AppendAllText(path, "3\t0.33"); // killed while writing epoch 3's row
        using (var w = MetricsTsvWriter.Append(path))
        {
            Assert.Equal([1, 2], w.LoggedEpochs.Order());
            w.OnEpochEnd(Epoch(3));
        }
        Assert.Equal([1, 2, 3], MetricsTsvWriter.Read(path).Select(m => m.Epoch));
        Assert.Equal(MetricsTsvWriter.Header, File.ReadLines(path).First());
        Assert.Single(File.ReadLines(path), l => l == MetricsTsvWriter.Header);
    }

    [Fact]
    public void Append_ToAMissingFile_WritesTheHeader_AndANewWriterStartsAfresh()
    {
        var path = Path.Combine(_dir, "m.tsv");
        using (var w = MetricsTsvWriter.Append(path)) { Assert.Empty(w.LoggedEpochs); w.OnEpochEnd(Epoch(1)); }
        Assert.Equal([1], MetricsTsvWriter.Read(path).Select(m => m.Epoch));
        using (var w = new MetricsTsvWriter(path)) w.OnEpochEnd(Epoch(5));
        Assert.Equal([5], MetricsTsvWriter.Read(path).Select(m => m.Epoch));
    }

    [Fact]
    public void RunState_SaysWhatAStoppedRunCanDo()
    {
        var store = new RunStore(_dir);
        var empty = store.Create();
        var fineTune = store.Create();
        File.WriteAllText(fineTune.FineTunePlanPath, "{}");
        var done = store.Create();
        File.WriteAllText(done.ModelPath, "onnx");
        Assert.Equal([RunState.Incomplete, RunState.Resumable, RunState.Complete], store.List().Select(r => r.State));
    }

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }
}
