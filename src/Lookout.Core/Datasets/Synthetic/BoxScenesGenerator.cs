using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Synthetic;

public sealed record BoxScenesOptions
{
    /// <summary>Scenes (videos of <see cref="FramesPerScene"/> frames) to write.</summary>
    public int Scenes { get; init; } = 40;
    public int FramesPerScene { get; init; } = 3;
    public int Width { get; init; } = 320;
    public int Height { get; init; } = 240;
    /// <summary>Share of frames with no object at all (background images).</summary>
    public double BackgroundShare { get; init; } = 0.15;
    public int MaxObjects { get; init; } = 3;
    public int Seed { get; init; } = 1;
    public IReadOnlyList<string> Classes { get; init; } = BoxScenesGenerator.AllClasses;
}

/// <summary>
/// A generated detection dataset with known boxes, written as YOLO: objects (a disc, a square, a triangle, each in a
/// jittered colour family) pasted at random places and sizes onto textured backgrounds with distractor blobs. Each
/// scene is a short "video": its frames share the background and are named <c>sceneN_frame_K</c>, so the box
/// importer groups them and a split keeps them together.
/// </summary>
public static class BoxScenesGenerator
{
    public static readonly IReadOnlyList<string> AllClasses = ["disc", "square", "triangle"];

    public static BoxDataset Generate(string outDir, BoxScenesOptions? options = null)
    {
        options ??= new BoxScenesOptions();
        var rng = new Random(options.Seed);
        var imagesDir = Path.Combine(outDir, "images");
        var labelsDir = Path.Combine(outDir, "labels");
        Directory.CreateDirectory(imagesDir);
        Directory.CreateDirectory(labelsDir);
        File.WriteAllText(Path.Combine(outDir, "data.yaml"), "names:\n" + string.Concat(options.Classes.Select(c => $"  - {c}\n")));
        var images = new List<BoxedImage>();
        for (int s = 0; s < options.Scenes; s++)
        {
            var background = Background(rng, options.Width, options.Height);
            for (int f = 0; f < options.FramesPerScene; f++)
            {
                var px = (byte[])background.Clone();
                var boxes = new List<LabeledBox>();
                if (rng.NextDouble() >= options.BackgroundShare)
                {
                    int n = 1 + rng.Next(options.MaxObjects);
                    for (int k = 0, tries = 0; k < n && tries < 30; tries++)
                    {
                        var label = options.Classes[rng.Next(options.Classes.Count)];
                        int side = rng.Next(Math.Min(options.Width, options.Height) / 8, Math.Min(options.Width, options.Height) / 2);
                        float x = rng.Next(0, options.Width - side), y = rng.Next(0, options.Height - side);
                        var box = new BoxF(x, y, x + side, y + side);
                        if (boxes.Any(b => b.Box.IoU(box) > 0)) continue;
                        var tight = Paste(px, options.Width, options.Height, label, box, rng);
                        boxes.Add(new LabeledBox(label, tight));
                        k++;
                    }
                }
                var name = $"scene{s:D3}_frame_{f}";
                var path = Path.Combine(imagesDir, name + ".png");
                File.WriteAllBytes(path, Png.Encode(new RgbImage(options.Width, options.Height, px)));
                var classId = options.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
                File.WriteAllLines(Path.Combine(labelsDir, name + ".txt"), boxes.Select(b => string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{classId[b.Label]} {b.Box.CenterX / options.Width:0.######} {b.Box.CenterY / options.Height:0.######} {b.Box.Width / options.Width:0.######} {b.Box.Height / options.Height:0.######}")));
                images.Add(new BoxedImage(path, options.Width, options.Height, boxes, BoxGroups.Of(Path.Combine("images", name + ".png"))));
            }
        }
        return new BoxDataset(BoxFormat.Yolo, options.Classes, images, []);
    }

    private static byte[] Background(Random rng, int w, int h)
    {
        var px = new byte[w * h * 3];
        var a = Enumerable.Range(0, 3).Select(_ => rng.Next(40, 220)).ToArray();
        var b = Enumerable.Range(0, 3).Select(_ => rng.Next(40, 220)).ToArray();
        double period = rng.Next(8, 40), angle = rng.NextDouble() * Math.PI, stripe = rng.NextDouble() * 25;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double t = (double)x / w * 0.6 + (double)y / h * 0.4;
                double tex = Math.Sin((x * Math.Cos(angle) + y * Math.Sin(angle)) * 2 * Math.PI / period) * stripe;
                int i = (y * w + x) * 3;
                for (int c = 0; c < 3; c++) px[i + c] = (byte)Math.Clamp(a[c] * (1 - t) + b[c] * t + tex + (rng.NextDouble() - 0.5) * 20, 0, 255);
            }
        // Distractors: soft blobs that are not objects, so the detector must learn shape and colour, not "anything different".
        int blobs = rng.Next(1, 4);
        for (int k = 0; k < blobs; k++)
        {
            double cx = rng.Next(w), cy = rng.Next(h), rx = rng.Next(10, 50), ry = rng.Next(10, 50);
            var col = Enumerable.Range(0, 3).Select(_ => rng.Next(256)).ToArray();
            for (int y = (int)Math.Max(0, cy - ry); y < Math.Min(h, cy + ry); y++)
                for (int x = (int)Math.Max(0, cx - rx); x < Math.Min(w, cx + rx); x++)
                {
                    double d = (x - cx) * (x - cx) / (rx * rx) + (y - cy) * (y - cy) / (ry * ry);
                    if (d > 1) continue;
                    double alpha = 0.5 * (1 - d);
                    int i = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) px[i + c] = (byte)(px[i + c] * (1 - alpha) + col[c] * alpha);
                }
        }
        return px;
    }

    /// <summary>Draws the object inside <paramref name="box"/>; returns the tight box of the pixels drawn.</summary>
    private static BoxF Paste(byte[] px, int w, int h, string label, BoxF box, Random rng)
    {
        int[] baseColour = label switch
        {
            "disc" => [220, 40, 40],
            "square" => [40, 70, 220],
            "triangle" => [40, 190, 60],
            _ => [rng.Next(256), rng.Next(256), rng.Next(256)],
        };
        var col = baseColour.Select(v => Math.Clamp(v + rng.Next(-30, 31), 0, 255)).ToArray();
        double cx = box.CenterX, cy = box.CenterY, r = box.Width / 2;
        Func<double, double, bool> inside = label switch
        {
            "disc" => (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r,
            "triangle" => (x, y) => y >= box.Y1 && y <= box.Y2 && Math.Abs(x - cx) <= (y - box.Y1) / box.Height * r,
            _ => (x, y) => true,
        };
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = (int)box.Y1; y < (int)box.Y2 && y < h; y++)
            for (int x = (int)box.X1; x < (int)box.X2 && x < w; x++)
            {
                if (!inside(x + 0.5, y + 0.5)) continue;
                int i = (y * w + x) * 3;
                double shade = 0.8 + 0.2 * (y - box.Y1) / box.Height;
                for (int c = 0; c < 3; c++) px[i + c] = (byte)Math.Clamp(col[c] * shade + rng.Next(-8, 9), 0, 255);
                minX = Math.Min(minX, x); minY = Math.Min(minY, y); maxX = Math.Max(maxX, x); maxY = Math.Max(maxY, y);
            }
        return new BoxF(minX, minY, maxX + 1, maxY + 1);
    }
}
