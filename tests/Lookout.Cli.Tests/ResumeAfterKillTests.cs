using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Lookout.TestSupport;

namespace Lookout.Cli.Tests;

/// <summary>A shapes folder and one fine-tuning run that was never interrupted: what every killed-and-resumed run must end up as.</summary>
public sealed class FineTuneReferenceFixture : IDisposable
{
    public const int Epochs = 3;
    public string Root { get; } = Directory.CreateTempSubdirectory("lookout-cli-resume").FullName;
    public string DataDir => Path.Combine(Root, "shapes");
    public string[] TrainArgs => ["train", DataDir, "--backbone", "generated", "--fine-tune", "--ft-epochs", $"{Epochs}", "--json", "--quiet"];
    public string ReferenceRun => Path.Combine(Root, "ws-reference", "runs", "train1");
    public JsonElement Reference { get; }

    /// <summary>
    /// One torch thread: libtorch's multi-threaded reductions do not add up in the same order in two processes, so two
    /// uninterrupted runs differ in the 3rd digit with several threads; with one they are bit-identical, and so must be a
    /// killed-and-resumed run.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string> { ["OMP_NUM_THREADS"] = "1" };

    public CliResult Run(params string[] args) => CliRunner.RunAsync(Root, args, environment: Environment).GetAwaiter().GetResult();

    public FineTuneReferenceFixture()
    {
        ShapesDatasetGenerator.Generate(DataDir, new ShapesOptions { PerClass = 40, Seed = 5 });
        var r = Run([.. TrainArgs, "--workspace", Path.Combine(Root, "ws-reference")]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"reference fine-tuning failed ({r.ExitCode}): {r.StdErr}");
        Reference = JsonDocument.Parse(r.StdOut).RootElement.Clone();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// A real CLI process is killed (SIGKILL) at several points of <c>train --fine-tune</c>, then <c>train --resume</c> must
/// finish the run with every epoch's row and TensorBoard points kept, exactly as the uninterrupted run, and
/// <c>runs list</c> must keep working on the killed run.
/// </summary>
public class ResumeAfterKillTests(FineTuneReferenceFixture fx) : IClassFixture<FineTuneReferenceFixture>
{
    [Fact]
    public async Task KilledDuringTheFirstEmbedding_ResumeStartsAgainFromTheBeginning()
    {
        var runDir = await KillAsync("ws-embedding", run => File.Exists(Path.Combine(run, "finetune.json"))
            && ReadShared(Path.Combine(run, "probe", "log.txt")).Contains("embedding "), "the probe's first embedding");
        Assert.False(File.Exists(Path.Combine(runDir, "checkpoints", "finetune.ckpt")), "killed too late: the first checkpoint was already written");
        await ResumeAndCompareAsync("ws-embedding", runDir);
    }

    [Fact]
    public async Task KilledMidEpoch_ResumeContinuesFromTheCheckpoint_AndKeepsEarlierRows()
    {
        var runDir = await KillAsync("ws-epoch", run => Rows(Path.Combine(run, "metrics.tsv")).Count >= 1, "the end of the first fine-tuning epoch");
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "finetune.ckpt")));
        Assert.False(File.Exists(Path.Combine(runDir, "model.onnx")), "killed too late: the run had finished");
        await ResumeAndCompareAsync("ws-epoch", runDir);
    }

    [Fact]
    public async Task KilledDuringExport_ResumeExports_WithEveryEpochKept()
    {
        // After the last epoch, train and val are embedded again with the tuned backbone (for "unknown"), then exported.
        var runDir = await KillAsync("ws-export", run => ReadShared(Path.Combine(run, "log.txt")).Contains("+finetuned"), "the export");
        Assert.False(File.Exists(Path.Combine(runDir, "model.onnx")), "killed too late: the model was already exported");
        Assert.Equal(FineTuneReferenceFixture.Epochs, Rows(Path.Combine(runDir, "metrics.tsv")).Count);
        await ResumeAndCompareAsync("ws-export", runDir);
    }

    [Fact]
    public void ARunKilledBeforeItWroteAnything_IsListed_AndResumeSaysStartAgain()
    {
        var ws = Path.Combine(fx.Root, "ws-empty");
        Directory.CreateDirectory(Path.Combine(ws, "runs", "train1"));
        File.WriteAllText(Path.Combine(ws, "runs", "train1", ".claimed"), "");
        var list = CliRunner.Run(fx.Root, "runs", "list", "--json", "--workspace", ws);
        Assert.True(list.ExitCode == 0, list.StdErr);
        Assert.Equal("incomplete", JsonDocument.Parse(list.StdOut).RootElement[0].GetProperty("state").GetString());
        var r = CliRunner.Run(fx.Root, "train", "--resume", "train1", "--workspace", ws);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("nothing to resume yet, start the training again", string.Join(' ', r.StdErr.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
    }

    /// <summary>Rows of metrics.tsv when the process was killed, per workspace: they must survive the resume unchanged.</summary>
    private readonly Dictionary<string, List<string>> _rowsAtKill = [];

    private async Task<string> KillAsync(string workspace, Func<string, bool> reached, string what)
    {
        var ws = Path.Combine(fx.Root, workspace);
        var runDir = Path.Combine(ws, "runs", "train1");
        using var p = new CliProcess(fx.Root, [.. fx.TrainArgs, "--workspace", ws], FineTuneReferenceFixture.Environment);
        await p.KillWhenAsync(() => reached(runDir), what);
        _rowsAtKill[workspace] = WholeLines(Path.Combine(runDir, "metrics.tsv"));

        var list = CliRunner.Run(fx.Root, "runs", "list", "--json", "--workspace", ws);
        Assert.True(list.ExitCode == 0, list.StdErr);
        var run = Assert.Single(JsonDocument.Parse(list.StdOut).RootElement.EnumerateArray());
        Assert.Equal("resumable", run.GetProperty("state").GetString());
        return runDir;
    }

    private async Task ResumeAndCompareAsync(string workspace, string runDir)
    {
        var r = await CliRunner.RunAsync(fx.Root, ["train", "--resume", "train1", "--workspace", Path.Combine(fx.Root, workspace), "--json", "--quiet"],
            environment: FineTuneReferenceFixture.Environment);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var resumed = JsonDocument.Parse(r.StdOut).RootElement;

        // Appended, never rewritten: what was there at the kill is still there, byte for byte (seconds included).
        var lines = WholeLines(Path.Combine(runDir, "metrics.tsv"));
        Assert.Equal(_rowsAtKill[workspace], lines.Take(_rowsAtKill[workspace].Count));
        // Every epoch exactly once, with the numbers of the run that was never interrupted (seconds aside).
        var rows = Rows(Path.Combine(runDir, "metrics.tsv"));
        Assert.Equal(Enumerable.Range(1, FineTuneReferenceFixture.Epochs).Select(e => $"{e}"), rows.Select(c => c[0]));
        Assert.Equal(Rows(Path.Combine(fx.ReferenceRun, "metrics.tsv")).Select(c => string.Join('\t', c[..6])), rows.Select(c => string.Join('\t', c[..6])));

        // One TensorBoard file holding every epoch's curve points, with the reference's values.
        var events = TfEventsTestReader.ReadEvents(File.ReadAllBytes(Assert.Single(Directory.GetFiles(runDir, "events.out.tfevents.*"))));
        var reference = TfEventsTestReader.ReadEvents(File.ReadAllBytes(Directory.GetFiles(fx.ReferenceRun, "events.out.tfevents.*").Single()));
        static Dictionary<long, float> Curve(List<TfEventsTestReader.Ev> e) =>
            e.Where(x => x.Tag == "loss/val").GroupBy(x => x.Step).ToDictionary(g => g.Key, g => g.Last().Value);
        Assert.Equal(Curve(reference), Curve(events));
        Assert.Equal(Enumerable.Range(1, FineTuneReferenceFixture.Epochs).Select(e => (long)e), Curve(events).Keys.Order());

        Assert.True(File.Exists(Path.Combine(runDir, "model.onnx")));
        Assert.Equal(fx.Reference.GetProperty("test").GetProperty("accuracy").GetDouble(), resumed.GetProperty("test").GetProperty("accuracy").GetDouble());
        var list = CliRunner.Run(fx.Root, "runs", "list", "--json", "--workspace", Path.Combine(fx.Root, workspace));
        Assert.Equal("complete", JsonDocument.Parse(list.StdOut).RootElement[0].GetProperty("state").GetString());
    }

    private static List<string[]> Rows(string metricsTsv) =>
        ReadShared(metricsTsv).Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).Where(c => c.Length == 7).ToList();

    /// <summary>The lines of a file that were written completely (a kill can leave a last line without its newline).</summary>
    private static List<string> WholeLines(string path)
    {
        var text = ReadShared(path);
        return text.Length == 0 ? [] : text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>Reads a file another process is writing (empty when it does not exist yet).</summary>
    private static string ReadShared(string path)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(f).ReadToEnd();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return ""; }
    }
}
