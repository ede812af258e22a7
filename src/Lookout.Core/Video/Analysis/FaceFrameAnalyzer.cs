using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Faces;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// Faces in a frame, each labelled with the enrolled person it matches or <see cref="FrameAnalysis.UnknownFace"/>,
/// boxes normalised. The gallery and threshold are read once when the watcher starts (enrolling during a watch
/// takes effect at the next start), so no frame waits on the catalog.
/// </summary>
public sealed class FaceFrameAnalyzer(FaceAnalyzer analyzer, FaceRecognizer recognizer, IReadOnlyList<string> names) : IFrameAnalyzer
{
    public static FaceFrameAnalyzer Open(string catalogPath)
    {
        using var gallery = FaceGallery.Open(catalogPath);
        var recognizer = new FaceRecognizer(gallery.All(), gallery.StoredThreshold ?? FaceRecognizer.DefaultThreshold);
        return new FaceFrameAnalyzer(FaceAnalyzer.Open(), recognizer, [.. gallery.Names().Select(n => n.Name), FrameAnalysis.UnknownFace]);
    }

    public string Name => "faces";
    public IReadOnlyList<string> Labels => names;
    public AnalyzerKinds Kinds => AnalyzerKinds.Faces;

    public FrameAnalysis Analyze(RgbImage frame) =>
        new([], [], analyzer.Analyze(frame)
            .Select(f => new Detection(recognizer.Match(f.Descriptor).Name, f.Score, f.Box.Normalize(frame.Width, frame.Height)))
            .ToList());

    public void Dispose() => analyzer.Dispose();
}
