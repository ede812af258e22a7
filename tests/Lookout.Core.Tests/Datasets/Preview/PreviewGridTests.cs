using Lookout.Core.Datasets.Preview;
using Lookout.Core.Imaging;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Imaging.Augmentation;

namespace Lookout.Core.Tests.Datasets.Preview;

public class PreviewGridTests : IDisposable
{
    private readonly ShapesDataset _data = new(perClass: 8, size: 96);
    private static readonly PreprocessSpec Spec = GeneratedBackbone.SpecFor(64);

    [Fact]
    public void Grid_HasOneRowPerLabel_AndCellsAreExactlyTheModelInputs()
    {
        var r = PreviewGrid.Build(_data.Items, Spec, options: new PreviewOptions { PerLabel = 3 });
        Assert.Equal(ShapesDataset.Classes, r.Rows);
        Assert.Equal(3, r.Columns);
        int left = r.Grid.Width - (3 * (64 + 4) + 4);
        Assert.Equal(4 * (64 + 4) + 4, r.Grid.Height);
        // The first cell of the first row is the model input of one of that label's images, pixel for pixel.
        var cell = Crop(r.Grid, left + 4, 4, 64, 64);
        var inputs = _data.Items.Where(i => i.Label == r.Rows[0]).Select(i => ImageLoader.Load(i.Path, Spec).Pixels).ToList();
        Assert.Contains(inputs, p => p.AsSpan().SequenceEqual(cell));
    }

    [Fact]
    public void Augment_AddsVariantsThatDifferFromTheInput_AndIsDeterministic()
    {
        var aug = AugmentationPipeline.Standard(64, 64);
        var options = new PreviewOptions { PerLabel = 2, Variants = 3 };
        var a = PreviewGrid.Build(_data.Items, Spec, aug, options);
        var b = PreviewGrid.Build(_data.Items, Spec, aug, options);
        Assert.Equal(2 * 4, a.Columns);
        Assert.Equal(a.Grid.Pixels, b.Grid.Pixels);
        int left = a.Grid.Width - (8 * (64 + 4) + 4);
        var plain = Crop(a.Grid, left + 4, 4, 64, 64);
        var variant = Crop(a.Grid, left + 4 + 68, 4, 64, 64);
        Assert.False(plain.AsSpan().SequenceEqual(variant));
    }

    private static byte[] Crop(RgbImage img, int x0, int y0, int w, int h)
    {
        var o = new byte[w * h * 3];
        for (int y = 0; y < h; y++) Buffer.BlockCopy(img.Pixels, ((y0 + y) * img.Width + x0) * 3, o, y * w * 3, w * 3);
        return o;
    }

    public void Dispose() => _data.Dispose();
}
