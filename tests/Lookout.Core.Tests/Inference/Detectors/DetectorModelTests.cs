using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;

namespace Lookout.Core.Tests.Inference.Detectors;

/// <summary>Both catalog detectors on real converted models: output invariants and semantic checks on real photos.</summary>
public sealed class DetectorModelTests : IClassFixture<DetectorModelTests.Detectors>
{
    public sealed class Detectors : IDisposable
    {
        public DetectorService Nanodet { get; } = DetectorService.Open("nanodet");
        public DetectorService Centernet { get; } = DetectorService.Open("centernet");

        public void Dispose()
        {
            Nanodet.Dispose();
            Centernet.Dispose();
        }
    }

    private readonly Detectors _d;
    public DetectorModelTests(Detectors d) => _d = d;

    /// <summary>Bright rectangles and a gradient: not a photo, but enough to make the heads fire somewhere.</summary>
    private static RgbImage Generated(int size)
    {
        var px = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int o = (y * size + x) * 3;
                bool block = (x / (size / 4) + y / (size / 4)) % 2 == 0;
                px[o] = (byte)(block ? 220 : x * 255 / size);
                px[o + 1] = (byte)(block ? 40 : y * 255 / size);
                px[o + 2] = (byte)((x + y) * 127 / size);
            }
        return new RgbImage(size, size, px);
    }

    [Theory]
    [InlineData("nanodet")]
    [InlineData("centernet")]
    public void Invariants_ScoresInRange_BoxesFiniteInsideTheOriginal_Sorted(string name)
    {
        var det = name == "nanodet" ? _d.Nanodet : _d.Centernet;
        var input = Generated(det.Spec.Width);
        var found = det.Detect([input, input], [(640, 480), (300, 900)], new DetectorOptions { MinScore = 0.01f })
            ;
        Assert.Equal(2, found.Count);
        Assert.NotEmpty(found[0]);
        foreach (var (list, (w, h)) in found.Zip(new[] { (640, 480), (300, 900) }))
        {
            Assert.All(list, d =>
            {
                Assert.InRange(d.Score, 0.01f, 1f);
                Assert.True(d.Box.IsFinite);
                Assert.InRange(d.Box.X1, 0, w); Assert.InRange(d.Box.X2, 0, w);
                Assert.InRange(d.Box.Y1, 0, h); Assert.InRange(d.Box.Y2, 0, h);
                Assert.Equal(CocoLabels.All[d.ClassId], d.Label);
            });
            Assert.Equal(list.Select(d => d.Score).OrderDescending(), list.Select(d => d.Score));
        }
        // Same pixels, different original size: same detections, boxes scaled per axis.
        Assert.Equal(found[0].Select(d => d.Label), found[1].Select(d => d.Label));
    }

    [Fact]
    public void Nanodet_FindsThePeopleInRealPhotos()
    {
        var results = SamplePhotos.All.Select(p => _d.Nanodet.DetectFile(p)).ToList();
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.True(results.Max(r => r.Detections.Where(d => d.Label == "person").Max(d => d.Score)) >= 0.7f, "a person at >= 0.7");
        // Every photo shows 3-6 people; at the default 0.4 at least two are found in each (measured: 3,3,2,3,2,2).
        Assert.All(results, r => Assert.True(r.Detections.Count(d => d.Label == "person") >= 2, $"{r.Source}: {r.Detections.Count(d => d.Label == "person")} persons"));
        // Boxes are in original pixels: the photos are 1920 wide and people span hundreds of pixels.
        Assert.All(results, r => Assert.Equal(1920, r.Width));
        Assert.Contains(results.SelectMany(r => r.Detections), d => d.Box.Width > 400 && d.Box.Height > 800);
    }

    [Fact]
    public void Centernet_FindsPeople_AndNormalisationBugsWouldShow()
    {
        var r = _d.Centernet.DetectFile(SamplePhotos.Photo(1), new DetectorOptions { MinScore = 0.2f });
        Assert.True(r.Detections.Count(d => d.Label == "person") >= 3);
        // The same photo scaled to 0..1 (what a wrong normalisation feeds) is black to the model: nothing is found.
        var photo = ImageLoader.Load(SamplePhotos.Photo(1), _d.Centernet.Spec);
        var dark = new RgbImage(photo.Width, photo.Height, photo.Pixels.Select(p => (byte)(p / 255)).ToArray());
        Assert.DoesNotContain(_d.Centernet.Detect([dark], [(1920, 1280)], new DetectorOptions { MinScore = 0.2f })[0], d => d.Label == "person");
    }

    [Fact]
    public void FullFrame_Bytes_AndAnnotation_AgreeOnThePeople()
    {
        var bytes = File.ReadAllBytes(SamplePhotos.Photo(3));
        var fromBytes = _d.Nanodet.Detect(bytes);
        var frame = ImageDecoder.Decode(ImageSource.FromBytes(bytes), ImageTarget.Within(4000)).Pixels;
        var fromFrame = _d.Nanodet.Detect(frame);
        Assert.Equal((1920, 1350), (fromBytes.Width, fromBytes.Height));
        // Different resizers (libvips thumbnail vs resize of the decoded frame): same people, boxes within a few px.
        var a = fromBytes.Detections.Where(d => d.Label == "person").ToList();
        var b = fromFrame.Where(d => d.Label == "person").ToList();
        Assert.Equal(a.Count, b.Count);
        Assert.All(a.Zip(b), p => Assert.True(p.First.Box.IoU(p.Second.Box) > 0.9f));
        var png = Annotator.Render(bytes, a.Select(d => new Annotation(d.Box, $"{d.Label} {d.Score:0.00}", d.ClassId)), ".png");
        using var drawn = NetVips.Image.NewFromBuffer(png);
        using var plain = NetVips.Image.NewFromBuffer(bytes);
        Assert.Equal((plain.Width, plain.Height), (drawn.Width, drawn.Height));
        // The box outline's top-left corner pixel is the person colour (palette 0: 230,25,75).
        var corner = drawn.Getpoint((int)a[0].Box.X1 + 1, (int)a[0].Box.Y2 - 2);
        Assert.Equal([230.0, 25.0, 75.0], corner);
    }

    [Fact]
    public void ClassFilter_AndBadImages()
    {
        var only = _d.Nanodet.DetectFile(SamplePhotos.Photo(3), new DetectorOptions { Classes = CocoLabels.Resolve(["cup"]), MinScore = 0.3f });
        Assert.NotEmpty(only.Detections);
        Assert.All(only.Detections, d => Assert.Equal("cup", d.Label));
        var bad = _d.Nanodet.Detect("not an image"u8.ToArray());
        Assert.False(bad.Ok);
        Assert.Empty(bad.Detections);
    }
}
