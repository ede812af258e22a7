using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Faces;

namespace Lookout.Core.Tests.Inference.Faces;

public class FaceUnitTests
{
    [Fact]
    public void BlazeFaceAnchors_FollowTheTwoGrids()
    {
        var a = BlazeFaceDecoder.Anchors;
        Assert.Equal(896, a.Count);
        Assert.Equal((8f, 8f), a[0]);
        Assert.Equal((8f, 8f), a[1]);       // two anchors per 16x16 cell
        Assert.Equal((24f, 8f), a[2]);
        Assert.Equal((8f, 24f), a[32]);     // second row
        Assert.Equal((16f, 16f), a[512]);   // 8x8 grid, stride 32, six per cell
        Assert.Equal((16f, 16f), a[517]);
        Assert.Equal((48f, 16f), a[518]);
        Assert.Equal((240f, 240f), a[^1]);
    }

    [Fact]
    public void BlazeFace_DecodesAKnownAnchor_AndMapsBack()
    {
        var logits = Enumerable.Repeat(-10f, 896).ToArray();
        var reg = new float[896 * 16];
        int row = 37; // cell 18 of the 16x16 grid: gx 2, gy 1 -> anchor (40, 24)
        logits[row] = 3f;
        float[] r = [3, -2, 30, 40, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        r.CopyTo(reg, row * 16);
        logits[row + 1] = 2f; // same anchor, overlapping box, lower score: suppressed by NMS
        r.CopyTo(reg, (row + 1) * 16);
        var faces = BlazeFaceDecoder.Decode(logits, reg, new InputMapping(2, 2, OffsetX: 10, OffsetY: 0), minScore: 0.5f, nmsIoU: 0.3f, maxFaces: 10);
        var f = Assert.Single(faces);
        Assert.Equal(1 / (1 + MathF.Exp(-3)), f.Score, 5);
        // Centre (43, 22), size 30x40 in input px; image = (input - offset) * 2.
        Assert.Equal(new BoxF((28 - 10) * 2, 2 * 2, (58 - 10) * 2, 42 * 2), f.Box);
        Assert.Equal(((1 + 40 - 10) * 2f, (2 + 24) * 2f), f.Landmarks[0]);
        Assert.Equal(6, f.Landmarks.Count);
        Assert.Equal(f.Box.SquareEnlarged(1.4f), f.CropBox);
        Assert.Empty(BlazeFaceDecoder.Decode(logits, reg, new InputMapping(1, 1), minScore: 0.99f, 0.3f, 10));
    }

    [Fact]
    public void CropResize_IdentityInside_BlackOutside()
    {
        var px = new byte[4 * 3 * 3];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7);
        var img = new RgbImage(4, 3, px);
        Assert.Equal(px, PixelOps.CropResize(img, new BoxF(0, 0, 4, 3), 4, 3).Pixels);
        var shifted = PixelOps.CropResize(img, new BoxF(-4, 0, 4, 3), 8, 3); // left half outside
        Assert.All(shifted.Pixels.Take(4 * 3), v => Assert.Equal(0, v)); // first row's left 4 pixels are black
        Assert.Equal(px.AsSpan(0, 12).ToArray(), shifted.Pixels.AsSpan(12, 12).ToArray());
    }

    [Fact]
    public void Letterbox_CentresAndReportsTheMapping()
    {
        var img = new RgbImage(40, 20, Enumerable.Repeat((byte)200, 40 * 20 * 3).ToArray());
        var (box, scale, ox, oy) = PixelOps.Letterbox(img, 16);
        Assert.Equal((0.4f, 0f, 4f), (scale, ox, oy));
        Assert.Equal(0, box.Pixels[0]);                           // top band is black
        Assert.Equal(200, box.Pixels[(8 * 16 + 8) * 3]);          // middle is the image
        var mapped = new InputMapping(1 / scale, 1 / scale, ox, oy).Map(new BoxF(0, 4, 16, 12));
        Assert.Equal(new BoxF(0, 0, 40, 20), mapped);
    }

    [Fact]
    public void Similarity_IsHumansFormula()
    {
        var a = new float[1024];
        var b = new float[1024];
        Assert.Equal(1f, FaceMatching.Similarity(a, b));
        b[0] = 10; // L2 distance 10 -> human's 0.5 "match" line
        Assert.Equal(2500f, FaceMatching.Distance(a, b));
        Assert.Equal(0.5f, FaceMatching.Similarity(a, b), 5);
        b[0] = 40; // far apart -> clamped to 0
        Assert.Equal(0f, FaceMatching.Similarity(a, b));
        Assert.Throws<ArgumentException>(() => FaceMatching.Distance(a, new float[3]));
    }

    [Fact]
    public void Calibrator_PicksLowestThresholdMeetingTargetFar()
    {
        float[] same = [0.9f, 0.8f, 0.7f, 0.6f, 0.4f];
        float[] different = [0.1f, 0.2f, 0.3f, 0.35f, 0.5f, 0.2f, 0.1f, 0.15f, 0.25f, 0.3f];
        var strict = FaceThresholdCalibrator.Calibrate(same, different, targetFar: 0);
        Assert.True(strict.Threshold > 0.5f && strict.Threshold < 0.5001f);
        Assert.Equal(0, strict.FalseAcceptRate);
        Assert.Equal(0.2, strict.FalseRejectRate, 6); // 0.4 rejected
        var loose = FaceThresholdCalibrator.Calibrate(same, different, targetFar: 0.1); // one stranger may pass
        Assert.True(loose.Threshold > 0.35f && loose.Threshold < 0.3501f);
        Assert.Equal(0.1, loose.FalseAcceptRate, 6);
        Assert.Equal(0, loose.FalseRejectRate);
        Assert.Equal((5, 10), (loose.SamePairs, loose.DifferentPairs));
        Assert.Throws<ArgumentException>(() => FaceThresholdCalibrator.Calibrate([], different));
    }

    [Fact]
    public void CalibratorPairs_SplitSameAndDifferentPeople()
    {
        var d0 = new float[1024];
        var d1 = new float[1024]; d1[0] = 1;
        var d2 = new float[1024]; d2[0] = 30;
        var (same, different) = FaceThresholdCalibrator.Pairs([("a", d0), ("a", d1), ("b", d2)]);
        Assert.Single(same);
        Assert.Equal(2, different.Count);
        Assert.True(same[0] > different.Max());
    }
}
