using System.Security.Cryptography;
using Lookout.Core.Datasets;
using NetVips;

namespace Lookout.Core.Tests.TestData;

/// <summary>
/// Generates a small labelled image set in a temp folder: red circles, blue squares, green triangles and yellow
/// stripes at random positions and sizes on noisy backgrounds with colour jitter. Deterministic for a seed.
/// </summary>
public sealed class ShapesDataset : IDisposable
{
    public static readonly string[] Classes = ["blue-square", "green-triangle", "red-circle", "yellow-stripes"];

    public ShapesDataset(int perClass = 40, int size = 96, int seed = 7, double trainFraction = 0.6, double valFraction = 0.2, bool randomColours = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "lookout-shapes-" + Guid.NewGuid().ToString("N")[..8]);
        var rng = new Random(seed);
        var items = new List<LabeledImage>();
        foreach (var label in Classes)
        {
            var dir = Directory.CreateDirectory(Path.Combine(Root, label)).FullName;
            for (int i = 0; i < perClass; i++)
            {
                var path = Path.Combine(dir, $"{label}-{i:D3}.png");
                WritePng(path, Draw(label, size, rng, randomColours), size);
                double f = (double)i / perClass;
                var split = f < trainFraction ? Split.Train : f < trainFraction + valFraction ? Split.Val : Split.Test;
                var sha = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();
                items.Add(new LabeledImage(path, sha, label, split, sha));
            }
        }
        Items = items;
    }

    public string Root { get; }
    public IReadOnlyList<LabeledImage> Items { get; }

    /// <param name="randomColour">Any hue for any class, so only the shape tells the classes apart.</param>
    public static byte[] Draw(string label, int size, Random rng, bool randomColour = false)
    {
        var px = new byte[size * size * 3];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(110 + rng.Next(-40, 41)); // noisy grey background
        (int r, int g, int b) colour = label switch
        {
            "red-circle" => (220, 40, 40), "blue-square" => (40, 60, 220), "green-triangle" => (40, 190, 60), _ => (230, 210, 40),
        };
        colour = randomColour ? (rng.Next(256), rng.Next(256), rng.Next(256)) : (Jitter(colour.r, rng), Jitter(colour.g, rng), Jitter(colour.b, rng));
        int s = rng.Next(size / 4, size / 2);
        int cx = rng.Next(s / 2 + 2, size - s / 2 - 2), cy = rng.Next(s / 2 + 2, size - s / 2 - 2);
        int stripe = rng.Next(4, 9);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int dx = x - cx, dy = y - cy;
                bool inside = label switch
                {
                    "red-circle" => dx * dx + dy * dy <= s * s / 4,
                    "blue-square" => Math.Abs(dx) <= s / 2 && Math.Abs(dy) <= s / 2,
                    "green-triangle" => dy >= -s / 2 && dy <= s / 2 && Math.Abs(dx) <= (dy + s / 2) / 2,
                    _ => (y / stripe) % 2 == 0,
                };
                if (!inside) continue;
                int o = (y * size + x) * 3;
                px[o] = Noisy(colour.r, rng); px[o + 1] = Noisy(colour.g, rng); px[o + 2] = Noisy(colour.b, rng);
            }
        return px;
    }

    public static void WritePng(string path, byte[] rgb, int size)
    {
        using var img = Image.NewFromMemory(rgb, size, size, 3, Enums.BandFormat.Uchar);
        img.WriteToFile(path);
    }

    private static int Jitter(int v, Random rng) => Math.Clamp(v + rng.Next(-25, 26), 0, 255);
    private static byte Noisy(int v, Random rng) => (byte)Math.Clamp(v + rng.Next(-15, 16), 0, 255);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
