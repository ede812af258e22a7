using Lookout.Core.IO;
using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Synthetic;

public sealed record ShapesOptions
{
    public int PerClass { get; init; } = 20;
    public int Size { get; init; } = 64;
    public int Seed { get; init; } = 1;
    public IReadOnlyList<string> Classes { get; init; } = ShapesDatasetGenerator.AllShapes;
}

/// <summary>A generated image file and its label.</summary>
public sealed record GeneratedImage(string Path, string Label);

/// <summary>
/// Writes a small labelled image dataset (PNG, one folder per class) of shapes with random colours, sizes,
/// positions and backgrounds. Seeded, so the same options give byte-identical files. For tests and demos.
/// </summary>
public static class ShapesDatasetGenerator
{
    public static readonly IReadOnlyList<string> AllShapes = ["circle", "square", "triangle", "stripes"];

    public static IReadOnlyList<GeneratedImage> Generate(string outDir, ShapesOptions? options = null)
    {
        options ??= new ShapesOptions();
        if (options.PerClass < 0 || options.Size < 8) throw new ArgumentOutOfRangeException(nameof(options), "per-class count must be >= 0 and size >= 8");
        var rng = new Random(options.Seed);
        var written = new List<GeneratedImage>();
        foreach (var shape in options.Classes)
        {
            var dir = Path.Combine(outDir, shape);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < options.PerClass; i++)
            {
                var path = Path.Combine(dir, $"{shape}-{i:0000}.png");
                AtomicFile.WriteAllBytes(path, Png.Encode(Render(shape, rng, options.Size)));
                written.Add(new GeneratedImage(path, shape));
            }
        }
        return written;
    }

    public static RgbImage Render(string shape, Random rng, int size)
    {
        var background = RandomColour(rng);
        var foreground = Contrasting(rng, background);
        var px = new byte[size * size * 3];
        double noise = rng.NextDouble() * 30;
        double cx = size * (0.35 + 0.3 * rng.NextDouble()), cy = size * (0.35 + 0.3 * rng.NextDouble());
        double r = size * (0.18 + 0.14 * rng.NextDouble());
        double angle = rng.NextDouble() * Math.PI * 2;
        double period = size * (0.1 + 0.1 * rng.NextDouble());
        Func<double, double, bool> inside = shape switch
        {
            "circle" => (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r,
            "square" => (x, y) => Rotate(x - cx, y - cy, angle) is var (u, v) && Math.Abs(u) <= r * 0.85 && Math.Abs(v) <= r * 0.85,
            "triangle" => (x, y) => InTriangle(Rotate(x - cx, y - cy, angle), r * 1.1),
            "stripes" => (x, y) => Math.Sin(Rotate(x, y, angle).U * Math.PI * 2 / period) > 0,
            _ => throw new ArgumentException($"unknown shape '{shape}' (known: {string.Join(", ", AllShapes)})", nameof(shape)),
        };
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var c = inside(x + 0.5, y + 0.5) ? foreground : background;
                int i = (y * size + x) * 3;
                for (int k = 0; k < 3; k++) px[i + k] = (byte)Math.Clamp(c[k] + (rng.NextDouble() - 0.5) * noise, 0, 255);
            }
        return new RgbImage(size, size, px);
    }

    private static (double U, double V) Rotate(double x, double y, double a) =>
        (x * Math.Cos(a) + y * Math.Sin(a), -x * Math.Sin(a) + y * Math.Cos(a));

    /// <summary>Equilateral triangle with circumradius r centred at the origin, pointing up in its own frame.</summary>
    private static bool InTriangle((double U, double V) p, double r)
    {
        for (int k = 0; k < 3; k++)
        {
            double a = -Math.PI / 2 + k * 2 * Math.PI / 3, b = a + 2 * Math.PI / 3;
            double ax = r * Math.Cos(a), ay = r * Math.Sin(a), bx = r * Math.Cos(b), by = r * Math.Sin(b);
            if ((bx - ax) * (p.V - ay) - (by - ay) * (p.U - ax) < 0) return false;
        }
        return true;
    }

    private static byte[] RandomColour(Random rng) => [(byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)];

    /// <summary>A colour whose brightness differs from <paramref name="background"/> enough to see the shape.</summary>
    private static byte[] Contrasting(Random rng, byte[] background)
    {
        static double Luma(byte[] c) => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
        for (int attempt = 0; ; attempt++)
        {
            var c = RandomColour(rng);
            if (Math.Abs(Luma(c) - Luma(background)) >= 70 || attempt > 50)
                return attempt > 50 ? (Luma(background) > 127 ? [0, 0, 0] : [255, 255, 255]) : c;
        }
    }
}
