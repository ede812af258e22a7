using System.Text.Json;
using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Tests.Models.TfJs;

/// <summary>One tensor TF.js produced for the deterministic input.</summary>
public sealed record GoldenTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// Reference outputs written by scripts/make-goldens.sh (the original TF.js runtime). setup.sh creates them, and
/// test.sh runs setup first; a missing cache is a setup failure, so this fails loudly instead of skipping.
/// </summary>
public static class Goldens
{
    public static string Directory => Path.Combine(LookoutCache.Root(), "tfjs-goldens");

    public static IReadOnlyDictionary<string, GoldenTensor> Load(string caseName)
    {
        var dir = Directory;
        var json = Path.Combine(dir, caseName + ".json");
        if (!File.Exists(Path.Combine(dir, ".complete")) || !File.Exists(json))
            throw new InvalidOperationException($"TF.js golden outputs are missing ({json}). Run scripts/setup.sh (it runs scripts/make-goldens.sh) before the tests.");
        var bin = File.ReadAllBytes(Path.Combine(dir, caseName + ".bin"));
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var result = new Dictionary<string, GoldenTensor>(StringComparer.Ordinal);
        foreach (var o in doc.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var name = o.GetProperty("name").GetString()!;
            int offset = o.GetProperty("offset").GetInt32(), count = o.GetProperty("count").GetInt32();
            var data = new float[count];
            Buffer.BlockCopy(bin, offset, data, 0, count * 4);
            result[name] = new GoldenTensor(name, o.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(), data);
        }
        return result;
    }

    /// <summary>The shared input recipe: v(y,x,c) = (3x + 7y + 11c) mod 256 as uint8 NHWC RGB, batch 1.</summary>
    public static byte[] Image(int size)
    {
        var pixels = new byte[size * size * 3];
        int i = 0;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                    pixels[i++] = (byte)((3 * x + 7 * y + 11 * c) % 256);
        return pixels;
    }
}

/// <summary>Error measures: max |a-e| relative to max |e| (the tensor's scale), so near-zero entries do not dominate.</summary>
public static class Compare
{
    public static double MaxRelative(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length) throw new ArgumentException($"Length {actual.Length} vs expected {expected.Length}.");
        double maxErr = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            maxErr = Math.Max(maxErr, Math.Abs((double)actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        return double.IsNaN(maxErr) ? double.NaN : maxErr / Math.Max(scale, 1e-12);
    }

    /// <summary>Mean over the spatial axes of an NHWC (channelAxis 3) or NCHW (channelAxis 1) batch-1 tensor.</summary>
    public static float[] SpatialMean(GoldenTensor t, int channelAxis)
    {
        int c = t.Shape[channelAxis];
        int spatial = t.Data.Length / c;
        var sum = new double[c];
        for (int i = 0; i < t.Data.Length; i++) sum[channelAxis == 3 ? i % c : i / spatial] += t.Data[i];
        return sum.Select(s => (float)(s / spatial)).ToArray();
    }
}
