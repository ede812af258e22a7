using Lookout.Core.Imaging;
using Lookout.Core.Inference.Faces;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Tests.Inference.Faces;

/// <summary>BlazeFace + FaceRes on the real converted models and the sample photos.</summary>
public sealed class FaceModelTests : IClassFixture<FaceModelTests.Analyzer>, IDisposable
{
    public sealed class Analyzer : IDisposable
    {
        public FaceAnalyzer Faces { get; } = FaceAnalyzer.Open();
        public void Dispose() => Faces.Dispose();
    }

    private readonly FaceAnalyzer _faces;
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-facemodel-").FullName;

    public FaceModelTests(Analyzer a) => _faces = a.Faces;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static RgbImage Mirror(RgbImage img)
    {
        var px = new byte[img.Pixels.Length];
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                Array.Copy(img.Pixels, (y * img.Width + x) * 3, px, (y * img.Width + img.Width - 1 - x) * 3, 3);
        return new RgbImage(img.Width, img.Height, px);
    }

    [Fact]
    public void Invariants_OnAGeneratedImage()
    {
        var img = new RgbImage(300, 200, Enumerable.Range(0, 300 * 200 * 3).Select(i => (byte)(i * 31 % 251)).ToArray());
        var faces = _faces.Analyze(img, new FaceOptions { MinScore = 0.01f });
        Assert.All(faces, f =>
        {
            Assert.InRange(f.Score, 0.01f, 1f);
            Assert.True(f.Box.IsFinite);
            Assert.Equal(FaceMatching.DescriptorLength, f.Descriptor.Length);
            Assert.All(f.Descriptor, v => Assert.InRange(v, 0f, 6f)); // mean of ReLU6 outputs
        });
    }

    [Fact]
    public void RealPhotos_FrontalFacesScoreHigh_SamePersonBeatsDifferentPeople()
    {
        int total = 0;
        float best = 0, maxDifferent = 0, minMirror = 1;
        foreach (var path in SamplePhotos.All)
        {
            var img = ImageDecoder.Decode(ImageSource.FromFile(path), ImageTarget.Within(FaceAnalyzer.WorkingSide)).Pixels;
            var faces = _faces.Analyze(img);
            total += faces.Count;
            best = Math.Max(best, faces.Max(f => f.Score));
            for (int i = 0; i < faces.Count; i++)
                for (int j = i + 1; j < faces.Count; j++) // different people in the same photo
                    maxDifferent = Math.Max(maxDifferent, FaceMatching.Similarity(faces[i].Descriptor, faces[j].Descriptor));
            var mirrored = _faces.Analyze(Mirror(img));
            foreach (var f in faces)
            {
                var twin = mirrored.MinBy(m => Math.Abs(img.Width - m.Box.CenterX - f.Box.CenterX) + Math.Abs(m.Box.CenterY - f.Box.CenterY))!;
                minMirror = Math.Min(minMirror, FaceMatching.Similarity(f.Descriptor, twin.Descriptor));
            }
        }
        Assert.True(total >= 20, $"{total} faces in 6 group photos"); // 22 measured, 24 people shown
        Assert.True(best > 0.85f, $"best face score {best}");
        Assert.True(minMirror > maxDifferent, $"same face mirrored {minMirror} vs different people {maxDifferent}");
        // The constant documenting the default threshold's sanity data stays true.
        Assert.InRange(maxDifferent, FaceRecognizer.SampleMaxDifferentSimilarity - 0.02f, FaceRecognizer.SampleMaxDifferentSimilarity + 0.02f);
        Assert.True(maxDifferent < FaceRecognizer.DefaultThreshold);
    }

    [Fact]
    public void EnrollThenRecognize_KnowsTheEnrolledFace_InAnotherPicture_OthersStayUnknown()
    {
        var service = new FaceService(_faces, Path.Combine(_dir, "catalog.db"));
        var outcome = Assert.Single(service.EnrollFiles("alice", [SamplePhotos.Photo(3)]));
        Assert.True(outcome.Ok);
        Assert.Equal(3, outcome.FacesSeen);
        // The mirrored photo is a different picture of the same people (new pixels, new detections).
        var img = ImageDecoder.Decode(ImageSource.FromFile(SamplePhotos.Photo(3)), ImageTarget.Within(4000)).Pixels;
        using var mirrored = NetVips.Image.NewFromMemory(Mirror(img).Pixels, img.Width, img.Height, 3, NetVips.Enums.BandFormat.Uchar);
        var result = service.Recognize(mirrored.JpegsaveBuffer(q: 90));
        Assert.True(result.Ok);
        Assert.Equal(3, result.Faces.Count);
        var alice = Assert.Single(result.Faces, f => f.Match.IsKnown);
        Assert.Equal("alice", alice.Match.Name);
        Assert.Equal(img.Width - outcome.Face!.Box.CenterX, alice.Detection.Box.CenterX, 30f);
        Assert.All(result.Faces.Where(f => !f.Match.IsKnown), f => Assert.Equal(FaceGallery.Unknown, f.Match.Name));
        Assert.All(service.RecognizeFile(SamplePhotos.Photo(5)).Faces, f => Assert.Equal(FaceGallery.Unknown, f.Match.Name));
        Assert.Equal(1, service.Remove("alice"));
        Assert.Empty(service.List());
    }

    [Fact]
    public void DetectFacesFromBytes_BoxesInOriginalPixels_MatchTheFullPipeline()
    {
        var bytes = File.ReadAllBytes(SamplePhotos.Photo(1));
        var (w, h, boxes) = _faces.DetectFaces(bytes);
        var full = _faces.AnalyzeFile(SamplePhotos.Photo(1));
        Assert.Equal((1920, 1280), (w, h));
        Assert.Equal(full.Faces.Count, boxes.Count);
        Assert.Equal(full.Faces.Select(f => f.Box), boxes.Select(b => b.Box));
        Assert.All(boxes, b => Assert.InRange(b.Box.CenterX, 0, w));
    }

    [Fact]
    public void Enroll_PhotoWithoutFace_IsAnOutcomeNotACrash()
    {
        var service = new FaceService(_faces, Path.Combine(_dir, "catalog.db"));
        var blank = Path.Combine(_dir, "blank.png");
        using (var img = NetVips.Image.Black(64, 48, bands: 3)) img.WriteToFile(blank);
        var broken = Path.Combine(_dir, "broken.jpg");
        File.WriteAllText(broken, "not a jpeg");
        var outcomes = service.EnrollFiles("bob", [blank, broken]);
        Assert.Equal("no face found", outcomes[0].Error);
        Assert.False(outcomes[1].Ok);
        Assert.Empty(service.List());
    }
}
