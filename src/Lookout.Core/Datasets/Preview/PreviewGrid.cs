using Lookout.Core.Imaging;
using NetVips;
using Lookout.Core.Imaging.Augmentation;

namespace Lookout.Core.Datasets.Preview;

public sealed record PreviewOptions
{
    public int PerLabel { get; init; } = 6;
    /// <summary>With an augmentation: augmented variants shown after each image's plain model input.</summary>
    public int Variants { get; init; } = 3;
    public int Seed { get; init; } = 42;
    public int Gap { get; init; } = 4;

    public PreviewOptions Validate()
    {
        if (PerLabel < 1) throw new ArgumentException("PerLabel must be at least 1.", nameof(PerLabel));
        if (Variants < 1) throw new ArgumentException("Variants must be at least 1.", nameof(Variants));
        return this;
    }
}

/// <summary>The grid: one row per label (in <see cref="Rows"/> order), each cell exactly a model input.</summary>
public sealed record PreviewResult(RgbImage Grid, IReadOnlyList<string> Rows, int Columns, int CellWidth, int CellHeight, IReadOnlyList<string> Skipped);

/// <summary>
/// What the model will see: each label's images decoded and resized by the model's own preprocessing (the bytes
/// the exported ONNX receives), optionally followed by augmented variants from the fine-tuning pipeline. Row
/// labels are drawn in a strip on the left when libvips can render text.
/// </summary>
public static class PreviewGrid
{
    public static PreviewResult Build(IReadOnlyList<LabeledImage> items, PreprocessSpec spec, IAugmentation? augmentation = null, PreviewOptions? options = null)
    {
        options = (options ?? new PreviewOptions()).Validate();
        var rng = new Random(options.Seed);
        var skipped = new List<string>();
        var rows = new List<(string Label, List<RgbImage> Cells)>();
        foreach (var g in items.GroupBy(i => i.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var cells = new List<RgbImage>();
            foreach (var item in g.OrderBy(i => i.Path, StringComparer.Ordinal).OrderBy(_ => rng.Next()).ToList())
            {
                if (cells.Count >= options.PerLabel * (augmentation is null ? 1 : 1 + options.Variants)) break;
                RgbImage input;
                try { input = ImageLoader.Load(item.Path, spec); }
                catch (ImageDecodeException e) { skipped.Add($"{item.Path}: {e.Reason}"); continue; }
                cells.Add(input);
                if (augmentation is null) continue;
                for (int v = 0; v < options.Variants; v++) cells.Add(augmentation.Apply(input, new Random(HashCode.Combine(options.Seed, item.Sha256, v))));
            }
            if (cells.Count > 0) rows.Add((g.Key, cells));
        }
        if (rows.Count == 0) throw new LookoutException("no readable images to preview");

        int cols = rows.Max(r => r.Cells.Count), w = spec.Width, h = spec.Height, gap = options.Gap;
        var labelStrip = LabelStrip(rows.Select(r => r.Label).ToList(), h, gap);
        int left = labelStrip?.Width ?? 0;
        int gridW = left + cols * (w + gap) + gap, gridH = rows.Count * (h + gap) + gap;
        var px = new byte[gridW * gridH * 3];
        Array.Fill(px, (byte)255);
        for (int r = 0; r < rows.Count; r++)
            for (int c = 0; c < rows[r].Cells.Count; c++)
                Blit(px, gridW, rows[r].Cells[c], left + gap + c * (w + gap), gap + r * (h + gap));
        if (labelStrip is not null) Blit(px, gridW, labelStrip, 0, 0);
        return new PreviewResult(new RgbImage(gridW, gridH, px), rows.Select(r => r.Label).ToList(), cols, w, h, skipped);
    }

    private static void Blit(byte[] dst, int dstW, RgbImage src, int x0, int y0)
    {
        for (int y = 0; y < src.Height; y++)
            Buffer.BlockCopy(src.Pixels, y * src.Width * 3, dst, ((y0 + y) * dstW + x0) * 3, src.Width * 3);
    }

    /// <summary>Row labels rendered by libvips (pango); null when this libvips build has no text support.</summary>
    private static RgbImage? LabelStrip(IReadOnlyList<string> labels, int rowHeight, int gap)
    {
        try
        {
            const int width = 160;
            int height = labels.Count * (rowHeight + gap) + gap;
            var px = new byte[width * height * 3];
            Array.Fill(px, (byte)255);
            for (int r = 0; r < labels.Count; r++)
            {
                // Text is markup to pango: escape it, or a label like "<b>" would be interpreted.
                using var text = Image.Text(System.Security.SecurityElement.Escape(labels[r]), width: width - 8, dpi: 96);
                using var mask = text.Cast(Enums.BandFormat.Uchar);
                var alpha = mask.WriteToMemory<byte>();
                int tw = mask.Width, th = Math.Min(mask.Height, rowHeight);
                int y0 = gap + r * (rowHeight + gap) + Math.Max(0, (rowHeight - th) / 2);
                for (int y = 0; y < th; y++)
                    for (int x = 0; x < tw && x + 4 < width; x++)
                    {
                        byte v = (byte)(255 - alpha[y * tw + x]);
                        int o = ((y0 + y) * width + x + 4) * 3;
                        px[o] = px[o + 1] = px[o + 2] = v;
                    }
            }
            return new RgbImage(width, height, px);
        }
        catch (VipsException) { return null; }
    }
}
