using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Imaging;

public class ResizePlanTests
{
    public static TheoryData<int, int> Sizes()
    {
        var data = new TheoryData<int, int>();
        foreach (var (w, h) in new[] { (1, 1), (1, 20000), (20000, 1), (1, 40000), (3, 65535), (65535, 200), (4000, 3000), (3000, 4000),
                     (224, 224), (100, 30000), (13000, 13000), (50000, 2) })
            data.Add(w, h);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void NoStage_HoldsMoreThanTheBudget_ForAnyAspectRatio(int width, int height)
    {
        foreach (var target in new[] { new ImageTarget(224, 224, ImageFit.CentreCrop), new ImageTarget(416, 416, ImageFit.Stretch),
                     new ImageTarget(256, 256, ImageFit.Letterbox), new ImageTarget(320, 180, ImageFit.CentreCrop) })
        {
            var plan = ResizePlan.For(width, height, target);
            long limit = ResizePlan.Budget * (long)target.Width * target.Height;
            Assert.True(plan.LargestStagePixels(width, height) <= limit, $"{width}x{height} -> {target}: {plan.LargestStagePixels(width, height)} px");
        }
    }

    [Fact]
    public void OrdinaryPhotos_KeepLibvipsOwnCropPath()
    {
        // 4:3 and 16:9 photos are cropped by the thumbnail itself (identical to before); only absurd aspects take the budget path.
        Assert.Equal(ThumbnailKind.CropCentre, ResizePlan.For(4000, 3000, ImageTarget.For(new PreprocessSpec())).Kind);
        Assert.Equal(ThumbnailKind.CropCentre, ResizePlan.For(1920, 1080, ImageTarget.For(new PreprocessSpec())).Kind);
        var strip = ResizePlan.For(1, 20000, ImageTarget.For(new PreprocessSpec()));
        Assert.True(strip.CropToTarget);
        Assert.Equal((0, 9999, 1, 1), strip.CentreCrop(1, 20000));
    }

    [Fact]
    public void LoadShrink_DecodesJustAboveTheFirstStagesSize()
    {
        var plan = ResizePlan.For(7000, 7000, ImageTarget.For(new PreprocessSpec()));
        Assert.Equal((31, 31), plan.LoadShrink(7000, 7000)); // 7000 / 31 = 226 >= 224
        Assert.Equal((3, 3), ResizePlan.For(7000, 7000, ImageTarget.Within(1920)).LoadShrink(7000, 7000)); // 2334 >= 1920
        var stretch = ResizePlan.For(200_000, 50, new ImageTarget(224, 224, ImageFit.Stretch));
        Assert.Equal((892, 1), stretch.LoadShrink(200_000, 50)); // each axis on its own
        Assert.Equal((1, 1), ResizePlan.For(300, 200, ImageTarget.For(new PreprocessSpec())).LoadShrink(300, 200));
    }
}
