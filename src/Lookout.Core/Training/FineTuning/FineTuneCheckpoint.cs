using System.Text;
using System.Text.Json;
using Lookout.Core.IO;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Metrics of one fine-tuning epoch (0-based). ValLoss/ValAccuracy are NaN without a validation set.</summary>
public sealed record FineTuneEpoch(int Epoch, long Step, double TrainLoss, double ValLoss, double ValAccuracy,
    double BackboneLearningRate, double HeadLearningRate, bool Improved, double Seconds);

/// <summary>
/// Everything needed to continue a run exactly where it stopped: options (which fix the data-order seed), progress
/// counters, early-stopping state, torch's RNG state, and named float tensors (current parameters, best parameters,
/// optimizer moments). One file, written atomically (temp file + rename), so a kill mid-write leaves the previous one.
/// </summary>
public sealed record FineTuneCheckpoint(
    string OptionsJson,
    int EpochsDone,
    long Step,
    long OptimizerSteps,
    double BestValLoss,
    int BestEpoch,
    int EpochsWithoutImprovement,
    bool Finished,
    byte[] TorchRngState,
    IReadOnlyList<FineTuneEpoch> History,
    IReadOnlyDictionary<string, float[]> Tensors)
{
    public const string FileName = "finetune.ckpt";
    private const string Magic = "LOOKOUT-FT";
    private const int Version = 1;

    private sealed record Header(string OptionsJson, int EpochsDone, long Step, long OptimizerSteps, double BestValLoss,
        int BestEpoch, int EpochsWithoutImprovement, bool Finished, byte[] TorchRngState, List<FineTuneEpoch> History);

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public void Save(string directory)
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic); w.Write(Version);
            w.Write(JsonSerializer.Serialize(new Header(OptionsJson, EpochsDone, Step, OptimizerSteps, BestValLoss, BestEpoch,
                EpochsWithoutImprovement, Finished, TorchRngState, History.ToList()), Json));
            w.Write(Tensors.Count);
            foreach (var (name, data) in Tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.Write(name); w.Write(data.Length);
                w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
            }
        }
        AtomicFile.WriteAllBytes(PathIn(directory), ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    /// <summary>The epochs a checkpoint has done, read from its header only (the tensors are not loaded).</summary>
    public static IReadOnlyList<FineTuneEpoch> ReadHistory(string directory)
    {
        var path = PathIn(directory);
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (r.ReadString() != Magic || r.ReadInt32() != Version) throw new LookoutException($"{path} is not a Lookout fine-tuning checkpoint of version {Version}.");
            return JsonSerializer.Deserialize<Header>(r.ReadString(), Json)!.History;
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new LookoutException($"The fine-tuning checkpoint {path} is damaged: {e.Message}", e);
        }
    }

    public static FineTuneCheckpoint Load(string directory)
    {
        var path = PathIn(directory);
        if (!File.Exists(path)) throw new LookoutException($"No fine-tuning checkpoint in {directory} (expected {FileName}).");
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (r.ReadString() != Magic) throw new LookoutException($"{path} is not a Lookout fine-tuning checkpoint.");
            var version = r.ReadInt32();
            if (version != Version) throw new LookoutException($"{path} has checkpoint version {version}; this Lookout reads {Version}.");
            var h = JsonSerializer.Deserialize<Header>(r.ReadString(), Json)!;
            int count = r.ReadInt32();
            var tensors = new Dictionary<string, float[]>(count, StringComparer.Ordinal);
            for (int i = 0; i < count; i++)
            {
                var name = r.ReadString();
                int n = r.ReadInt32();
                var bytes = r.ReadBytes(n * sizeof(float));
                if (bytes.Length != n * sizeof(float)) throw new EndOfStreamException($"tensor '{name}' is truncated");
                var data = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray();
                tensors[name] = data;
            }
            return new FineTuneCheckpoint(h.OptionsJson, h.EpochsDone, h.Step, h.OptimizerSteps, h.BestValLoss, h.BestEpoch,
                h.EpochsWithoutImprovement, h.Finished, h.TorchRngState, h.History, tensors);
        }
        catch (Exception e) when (e is EndOfStreamException or JsonException or IOException)
        {
            throw new LookoutException($"The fine-tuning checkpoint {path} is damaged: {e.Message}", e);
        }
    }
}
