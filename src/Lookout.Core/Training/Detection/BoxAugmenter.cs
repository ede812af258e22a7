using Lookout.Core.Imaging;

namespace Lookout.Core.Training.Detection;

/// <summary>
/// Augmentation that keeps boxes true, on letterboxed inputs like the ones the exported detector is served
/// (<see cref="DetectorExport.Spec"/>): a random scale/crop window (boxes clipped to it, dropped when less than
/// <see cref="MinVisible"/> of them is left) fitted into the square with its aspect kept up to a mild stretch, sometimes
/// shrunk, placed anywhere on grey; horizontal flip, brightness/contrast jitter, and mosaic (four images in the
/// quadrants, each fitted the same way). Without augmentation an image is letterboxed whole and centred, as served.
/// </summary>
public sealed class BoxAugmenter(int size, double mosaicProbability = 0.3)
{
    public const float MinVisible = 0.35f;

    public int Size { get; } = size;

    /// <summary>The whole image letterboxed into the model's square input exactly as served (<see cref="ResizePlan"/>'s geometry), boxes mapped with it.</summary>
    public (RgbImage Image, List<TrainBox> Boxes) Plain(BoxSample s)
    {
        var canvas = Canvas(Size);
        var (cw, ch) = ResizePlan.FitInside(s.Image.Width, s.Image.Height, Size, Size);
        var boxes = Paste(canvas, Size, s, new BoxF(0, 0, s.Image.Width, s.Image.Height), (Size - cw) / 2, (Size - ch) / 2, cw, ch);
        return (new RgbImage(Size, Size, canvas), boxes);
    }

    /// <param name="others">Samples mosaic may draw the other three tiles from.</param>
    public (RgbImage Image, List<TrainBox> Boxes) Augment(BoxSample s, IReadOnlyList<BoxSample> others, Random rng)
    {
        var canvas = Canvas(Size);
        List<TrainBox> boxes;
        if (others.Count >= 4 && rng.NextDouble() < mosaicProbability)
        {
            int half = Size / 2;
            boxes = [];
            var tiles = new[] { s, others[rng.Next(others.Count)], others[rng.Next(others.Count)], others[rng.Next(others.Count)] };
            for (int t = 0; t < 4; t++) boxes.AddRange(Fitted(canvas, tiles[t], (t % 2) * half, (t / 2) * half, half, rng));
        }
        else boxes = Fitted(canvas, s, 0, 0, Size, rng);
        var image = new RgbImage(Size, Size, canvas);
        if (rng.NextDouble() < 0.5) (image, boxes) = Flip(image, boxes);
        return (Jitter(image, rng), boxes);
    }

    /// <summary>A random window of the sample fitted (aspect kept up to ±15 %, half the time shrunk to 60–100 %) at a random place in a <paramref name="side"/>² cell.</summary>
    private List<TrainBox> Fitted(byte[] canvas, BoxSample s, int cellX, int cellY, int side, Random rng)
    {
        var window = Window(s.Image, rng);
        double aspect = window.Width / window.Height * Math.Exp((rng.NextDouble() - 0.5) * 0.3);
        double zoom = rng.NextDouble() < 0.5 ? 0.6 + 0.4 * rng.NextDouble() : 1;
        int cw = (int)Math.Clamp(Math.Round(side * zoom * Math.Min(1, aspect)), 2, side);
        int ch = (int)Math.Clamp(Math.Round(side * zoom * Math.Min(1, 1 / aspect)), 2, side);
        int x = cellX + rng.Next(side - cw + 1), y = cellY + rng.Next(side - ch + 1);
        return Paste(canvas, Size, s, window, x, y, cw, ch);
    }

    /// <summary>Samples <paramref name="window"/> of the image into the <paramref name="w"/> x <paramref name="h"/> rectangle at (x, y) of the canvas; its boxes mapped and clipped the same way.</summary>
    private static List<TrainBox> Paste(byte[] canvas, int canvasSide, BoxSample s, BoxF window, int x, int y, int w, int h)
    {
        var tile = PixelOps.CropResize(s.Image, window, w, h);
        for (int row = 0; row < h; row++)
            Array.Copy(tile.Pixels, row * w * 3, canvas, ((y + row) * canvasSide + x) * 3, w * 3);
        return Map(s.Boxes, window, x, y, w, h);
    }

    private static byte[] Canvas(int side)
    {
        var px = new byte[side * side * 3];
        Array.Fill(px, ImageLoader.LetterboxFill);
        return px;
    }

    /// <summary>A crop covering 45–100% of the image's area with aspect jitter, placed at random.</summary>
    private static BoxF Window(RgbImage img, Random rng)
    {
        double area = 0.45 + 0.55 * rng.NextDouble(), aspect = Math.Exp((rng.NextDouble() - 0.5) * 0.6);
        float w = (float)Math.Min(img.Width, img.Width * Math.Sqrt(area * aspect));
        float h = (float)Math.Min(img.Height, img.Height * Math.Sqrt(area / aspect));
        float x = (float)(rng.NextDouble() * (img.Width - w)), y = (float)(rng.NextDouble() * (img.Height - h));
        return new BoxF(x, y, x + w, y + h);
    }

    /// <summary>Boxes of the source mapped through window → (ox, oy, w, h) of the output, clipped, small remnants dropped.</summary>
    public static List<TrainBox> Map(IReadOnlyList<TrainBox> boxes, BoxF window, int ox, int oy, int w, int h)
    {
        float sx = w / window.Width, sy = h / window.Height;
        var result = new List<TrainBox>();
        foreach (var b in boxes)
        {
            var m = new BoxF((b.Box.X1 - window.X1) * sx + ox, (b.Box.Y1 - window.Y1) * sy + oy, (b.Box.X2 - window.X1) * sx + ox, (b.Box.Y2 - window.Y1) * sy + oy);
            var clipped = new BoxF(Math.Clamp(m.X1, ox, ox + w), Math.Clamp(m.Y1, oy, oy + h), Math.Clamp(m.X2, ox, ox + w), Math.Clamp(m.Y2, oy, oy + h));
            if (clipped.Width < 2 || clipped.Height < 2 || clipped.Area < MinVisible * m.Area) continue;
            result.Add(new TrainBox(b.ClassId, clipped));
        }
        return result;
    }

    public static (RgbImage, List<TrainBox>) Flip(RgbImage image, List<TrainBox> boxes)
    {
        int w = image.Width, h = image.Height;
        var px = new byte[image.Pixels.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int s = (y * w + x) * 3, d = (y * w + (w - 1 - x)) * 3;
                px[d] = image.Pixels[s]; px[d + 1] = image.Pixels[s + 1]; px[d + 2] = image.Pixels[s + 2];
            }
        return (new RgbImage(w, h, px), boxes.Select(b => b with { Box = new BoxF(w - b.Box.X2, b.Box.Y1, w - b.Box.X1, b.Box.Y2) }).ToList());
    }

    private static RgbImage Jitter(RgbImage image, Random rng)
    {
        double contrast = 0.8 + 0.4 * rng.NextDouble(), brightness = (rng.NextDouble() - 0.5) * 40;
        var px = new byte[image.Pixels.Length];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)Math.Clamp((image.Pixels[i] - 128) * contrast + 128 + brightness, 0, 255);
        return new RgbImage(image.Width, image.Height, px);
    }
}
