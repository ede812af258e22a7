using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Inference.Detectors;

public class DecodeTests
{
    private const int Classes = 80, Grid = 128, Input = 512;

    private static (float[] Keypoints, float[] Wh) CenterNetOutputs() => (new float[Grid * Grid * Classes], new float[Grid * Grid * 4]);

    private static void Set(float[] kp, float[] wh, int x, int y, int cls, float score, float l = 0, float t = 0, float r = 0, float b = 0)
    {
        kp[(y * Grid + x) * Classes + cls] = score;
        int cell = y * Grid + x;
        (wh[cell * 4], wh[cell * 4 + 1], wh[cell * 4 + 2], wh[cell * 4 + 3]) = (l, t, r, b);
    }

    [Fact]
    public void CenterNet_OneHotHeatmap_GivesItsClassAndBox()
    {
        var (kp, wh) = CenterNetOutputs();
        Set(kp, wh, x: 10, y: 20, cls: 15, score: 0.9f, l: 8, t: 12, r: 16, b: 20);
        var d = Assert.Single(CenterNetDecoder.Decode(kp, wh, Classes, Input, minScore: 0.2f));
        Assert.Equal(15, d.ClassId);
        Assert.Equal(0.9f, d.Score);
        // Stride 4: centre (40, 80); box [4x-l, 4y-t, 4x+r, 4y+b].
        Assert.Equal(new BoxF(32, 68, 56, 100), d.Box);
    }

    [Fact]
    public void CenterNet_OnlyPeaksOfTheSameClassSuppress_AndTopKIsSorted()
    {
        var (kp, wh) = CenterNetOutputs();
        Set(kp, wh, 50, 50, 0, 0.6f);
        Set(kp, wh, 51, 50, 0, 0.8f);   // same class, neighbour, higher: (50,50) is no peak
        Set(kp, wh, 49, 50, 16, 0.7f);  // other class next door: both stay
        Set(kp, wh, 0, 0, 2, 0.5f);     // corner cell (padding must not count)
        Set(kp, wh, 100, 100, 3, 0.1f); // below the score floor
        var found = CenterNetDecoder.Decode(kp, wh, Classes, Input, minScore: 0.2f);
        Assert.Equal([(0, 0.8f), (16, 0.7f), (2, 0.5f)], found.Select(f => (f.ClassId, f.Score)));
        Assert.Equal(2, CenterNetDecoder.Decode(kp, wh, Classes, Input, 0.2f, topK: 2).Count);
    }

    [Fact]
    public void NanoDet_ExpectationOfBinsTimesStride_FromCellCentre()
    {
        Assert.Equal(3f, NanoDetDecoder.Expectation([0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0]), 3);
        Assert.Equal(5f, NanoDetDecoder.Expectation(new float[11]), 4); // uniform over 0..10
        // Stride-32 level at 416: 13x13 cells.
        int cells = 13 * 13, cell = 1 * 13 + 2; // x=2, y=1 -> centre (80, 48)
        var scores = new float[cells * Classes];
        var reg = new float[cells * 44];
        scores[cell * Classes + 16] = 0.7f;
        int[] bins = [1, 0, 2, 3]; // left, top, right, bottom in stride units
        for (int side = 0; side < 4; side++) reg[(cell * 4 + side) * 11 + bins[side]] = 100;
        var d = Assert.Single(NanoDetDecoder.DecodeLevel(scores, reg, Classes, 416, minScore: 0.3f));
        Assert.Equal(16, d.ClassId);
        Assert.Equal(80 - 32, d.Box.X1, 2);
        Assert.Equal(48 - 0, d.Box.Y1, 2);
        Assert.Equal(80 + 64, d.Box.X2, 2);
        Assert.Equal(48 + 96, d.Box.Y2, 2);
    }

    [Fact]
    public void Decoders_RejectMismatchedOutputs()
    {
        Assert.Throws<ArgumentException>(() => CenterNetDecoder.Decode(new float[100], new float[40], Classes, Input, 0.2f));
        Assert.Throws<ArgumentException>(() => NanoDetDecoder.DecodeLevel(new float[169 * 80], new float[169 * 40], Classes, 416, 0.2f));
    }

    [Fact]
    public void Nms_PerClassKeepsOverlappingOtherClasses_AgnosticDoesNot()
    {
        var person = new RawDetection(0, 0.9f, new BoxF(0, 0, 100, 100));
        var dupe = new RawDetection(0, 0.8f, new BoxF(5, 5, 100, 100));
        var dog = new RawDetection(16, 0.7f, new BoxF(10, 10, 100, 100));
        var far = new RawDetection(0, 0.6f, new BoxF(200, 200, 300, 300));
        Assert.Equal([person, dog, far], Nms.Apply([far, dog, dupe, person], 0.4f, 10, perClass: true));
        Assert.Equal([person, far], Nms.Apply([far, dog, dupe, person], 0.4f, 10, perClass: false));
        Assert.Equal([person], Nms.Apply([far, dog, dupe, person], 0.4f, 1, perClass: true));
    }

    [Fact]
    public void Postprocess_ScalesToOriginal_ClampsFiltersAndLabels()
    {
        var raw = new[]
        {
            new RawDetection(15, 0.9f, new BoxF(128, 256, 256, 600)), // extends below the 512 input
            new RawDetection(0, 0.8f, new BoxF(0, 0, 64, 64)),
            new RawDetection(16, 0.3f, new BoxF(300, 300, 400, 400)),
        };
        var all = DetectorService.Postprocess(raw, 512, 1024, 256, new DetectorOptions { MinScore = 0.2f });
        Assert.Equal(["cat", "person", "dog"], all.Select(d => d.Label));
        Assert.Equal(new BoxF(256, 128, 512, 256), all[0].Box); // x*2, y/2, bottom clamped to 256
        Assert.Equal(15, all[0].ClassId);
        var filtered = DetectorService.Postprocess(raw, 512, 1024, 256, new DetectorOptions { Classes = CocoLabels.Resolve(["Person", "dog"]) });
        Assert.Equal(["person"], filtered.Select(d => d.Label)); // dog is below the default 0.4
    }

    [Fact]
    public void BoxF_IoUAndSquareEnlarge()
    {
        var a = new BoxF(0, 0, 10, 10);
        Assert.Equal(1f, a.IoU(a));
        Assert.Equal(25f / 175f, a.IoU(new BoxF(5, 5, 15, 15)), 5);
        Assert.Equal(0f, a.IoU(new BoxF(20, 20, 30, 30)));
        Assert.Equal(new BoxF(-2, 3, 12, 17), new BoxF(0, 5, 10, 15).SquareEnlarged(1.4f) with { }, new BoxComparer());
    }

    [Fact]
    public void CocoLabels_StandardOrder_AndHelpfulErrors()
    {
        var l = CocoLabels.All;
        Assert.Equal(80, l.Count);
        Assert.Equal(("person", "cat", "dog", "chair", "potted plant", "tv", "laptop", "refrigerator"), (l[0], l[15], l[16], l[56], l[58], l[62], l[63], l[72]));
        var e = Assert.Throws<ArgumentException>(() => CocoLabels.Resolve(["cats"]));
        Assert.Contains("cat", e.Message);
    }

    private sealed class BoxComparer : IEqualityComparer<BoxF>
    {
        public bool Equals(BoxF a, BoxF b) => Math.Abs(a.X1 - b.X1) < 1e-4 && Math.Abs(a.Y1 - b.Y1) < 1e-4 && Math.Abs(a.X2 - b.X2) < 1e-4 && Math.Abs(a.Y2 - b.Y2) < 1e-4;
        public int GetHashCode(BoxF b) => 0;
    }
}
