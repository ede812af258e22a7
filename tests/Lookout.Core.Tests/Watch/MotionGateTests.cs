using Lookout.Core.Tests.Video;
using Lookout.Core.Watch.Motion;

namespace Lookout.Core.Tests.Watch;

public class MotionGateTests
{
    private static TimeSpan T(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void StillNoisyScene_NeverPasses_AMovingBlobDoes_ThenHoldExpires()
    {
        var gate = new FrameDifferenceMotionGate(new MotionOptions { Hold = T(1) });
        Assert.False(gate.Check(Scenes.Frame(320, 240, noiseSeed: 1), T(0)).Pass);           // first frame: reference only
        for (int i = 2; i < 10; i++) Assert.False(gate.Check(Scenes.Frame(320, 240, noiseSeed: i), T(i * 0.1)).Pass);

        var moving = gate.Check(Scenes.Frame(320, 240, Scenes.PersonRed, side: 0.2, cx: 0.3), T(1.0));
        Assert.True(moving.Motion && moving.Pass);
        Assert.InRange(moving.ChangedFraction, 0.02, 0.1);                                   // the 20% x 20% blob appeared

        var still = Scenes.Frame(320, 240, Scenes.PersonRed, side: 0.2, cx: 0.3);
        var held = gate.Check(still, T(1.5));
        Assert.False(held.Motion);
        Assert.True(held.Pass);                                                                // within the 1 s hold
        Assert.False(gate.Check(still, T(2.1)).Pass);                                         // hold over, still nothing moves
    }

    [Fact]
    public void SizeChange_ResetsTheReference()
    {
        var gate = new FrameDifferenceMotionGate();
        gate.Check(Scenes.Frame(320, 240), T(0));
        Assert.False(gate.Check(Scenes.Frame(160, 120, Scenes.PersonRed), T(0.1)).Pass);
        Assert.True(gate.Check(Scenes.Frame(160, 120), T(0.2)).Motion);
    }

    [Fact]
    public void Grey_AveragesAreas()
    {
        var img = Scenes.Frame(4, 2);                      // uniform 128 grey
        Assert.All(FrameDifferenceMotionGate.Grey(img, 2, 1), v => Assert.InRange(v, 127, 128));
        Assert.Throws<Lookout.Core.LookoutException>(() => new FrameDifferenceMotionGate(new MotionOptions { MinChangedFraction = 0 }));
    }

    [Theory]
    [InlineData(101, 37, 13, 5)]   // cells of uneven widths and heights
    [InlineData(1280, 720, 96, 54)] // a 720p camera frame at the gate's default width
    [InlineData(7, 3, 7, 3)]       // one pixel per cell
    public void Grey_IsTheMeanLumaOfEveryPixelInItsCell(int width, int height, int w, int h)
    {
        var random = new Random(width * 31 + w);
        var px = new byte[width * height * 3];
        random.NextBytes(px);
        var frame = new Lookout.Core.Imaging.RgbImage(width, height, px);
        var sum = new long[w * h];
        var count = new long[w * h];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int cell = (int)((long)y * h / height) * w + (int)((long)x * w / width), i = (y * width + x) * 3;
                sum[cell] += (77 * px[i] + 150 * px[i + 1] + 29 * px[i + 2]) >> 8;
                count[cell]++;
            }
        Assert.Equal(sum.Select((s, c) => (byte)(s / count[c])).ToArray(), FrameDifferenceMotionGate.Grey(frame, w, h));
    }
}
