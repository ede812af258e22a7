using System.Security.Cryptography;
using Lookout.Core.Imaging;

namespace Lookout.Core.Inference.Faces;

/// <summary>What happened to one enrolment photo: the face used (largest), how many faces were seen, or why none.</summary>
public sealed record EnrollOutcome(string Source, FaceDetection? Face, int FacesSeen, string? Error)
{
    public bool Ok => Error is null;
}

/// <summary>A recognised face: where, how sure the detector is, and who (or "unknown").</summary>
public sealed record RecognizedFace(FaceDetection Detection, FaceMatch Match);

public sealed record RecognizeResult(string Source, int Width, int Height, IReadOnlyList<RecognizedFace> Faces, float Threshold, string? Error = null)
{
    public bool Ok => Error is null;
}

/// <summary>
/// The face verbs over one workspace gallery: enroll (largest face per photo), list, remove, recognize, calibrate.
/// Thread-safe: the analyzer is shared; each call opens the gallery database briefly.
/// </summary>
public sealed class FaceService(FaceAnalyzer analyzer, string catalogPath, FaceOptions? options = null)
{
    private readonly FaceOptions _options = options ?? FaceOptions.Default;

    public FaceAnalyzer Analyzer => analyzer;

    /// <summary>The workspace's calibrated threshold if stored, else <see cref="FaceRecognizer.DefaultThreshold"/>.</summary>
    public float Threshold
    {
        get
        {
            using var gallery = FaceGallery.Open(catalogPath);
            return gallery.StoredThreshold ?? FaceRecognizer.DefaultThreshold;
        }
    }

    public IReadOnlyList<EnrollOutcome> EnrollFiles(string name, IReadOnlyList<string> paths) =>
        Enroll(name, paths.Select(p => (p, (Func<(FaceImage, byte[])>)(() => (analyzer.AnalyzeFile(p, _options), File.ReadAllBytes(p))))));

    public IReadOnlyList<EnrollOutcome> Enroll(string name, IReadOnlyList<(string Source, byte[] Data)> images) =>
        Enroll(name, images.Select(i => (i.Source, (Func<(FaceImage, byte[])>)(() => (analyzer.Analyze(i.Data, _options, i.Source), i.Data)))));

    private List<EnrollOutcome> Enroll(string name, IEnumerable<(string Source, Func<(FaceImage Faces, byte[] Bytes)> Load)> images)
    {
        FaceGallery.ValidateName(name);
        var outcomes = new List<EnrollOutcome>();
        var descriptors = new List<(float[], string?)>();
        foreach (var (source, load) in images)
        {
            try
            {
                var (result, bytes) = load();
                if (result.Faces.Count == 0) { outcomes.Add(new EnrollOutcome(source, null, 0, "no face found")); continue; }
                // Several faces: the largest is the subject (a portrait with people in the background).
                var face = result.Faces.MaxBy(f => f.Box.Area)!;
                descriptors.Add((face.Descriptor, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()));
                outcomes.Add(new EnrollOutcome(source, face.Detection, result.Faces.Count, null));
            }
            catch (ImageDecodeException e) { outcomes.Add(new EnrollOutcome(source, null, 0, e.Reason)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { outcomes.Add(new EnrollOutcome(source, null, 0, e.Message)); }
        }
        if (descriptors.Count > 0)
        {
            using var gallery = FaceGallery.Open(catalogPath);
            gallery.Enroll(name, descriptors);
        }
        return outcomes;
    }

    public IReadOnlyList<EnrolledName> List()
    {
        using var gallery = FaceGallery.Open(catalogPath);
        return gallery.Names();
    }

    public int Remove(string name)
    {
        using var gallery = FaceGallery.Open(catalogPath);
        return gallery.Remove(name);
    }

    public RecognizeResult RecognizeFile(string path, float? threshold = null) => Recognize(path, () => analyzer.AnalyzeFile(path, _options), threshold);

    public RecognizeResult Recognize(byte[] data, float? threshold = null, string sourceName = "upload") =>
        Recognize(sourceName, () => analyzer.Analyze(data, _options, sourceName), threshold);

    private RecognizeResult Recognize(string source, Func<FaceImage> analyze, float? threshold)
    {
        FaceRecognizer recognizer;
        using (var gallery = FaceGallery.Open(catalogPath))
            recognizer = new FaceRecognizer(gallery.All(), threshold ?? gallery.StoredThreshold ?? FaceRecognizer.DefaultThreshold);
        try
        {
            var image = analyze();
            var faces = image.Faces.Select(f => new RecognizedFace(f.Detection, recognizer.Match(f.Descriptor))).ToList();
            return new RecognizeResult(source, image.Width, image.Height, faces, recognizer.Threshold);
        }
        catch (ImageDecodeException e) { return new RecognizeResult(source, 0, 0, [], recognizer.Threshold, e.Reason); }
    }

    /// <summary>
    /// Calibrates on a folder of person folders (<c>dir/alice/*.jpg</c>, <c>dir/bob/*.jpg</c>): the largest face of each
    /// photo, all same- and different-person pairs. Photos without a face are skipped and counted.
    /// </summary>
    public (FaceCalibration Calibration, int Photos, int Skipped, int People) CalibrateFolders(string dir, double targetFar)
    {
        var faces = new List<(string, float[])>();
        int photos = 0, skipped = 0;
        // One safe walk (no FIFOs opened, no links followed out of the folder); photos directly in dir belong to nobody.
        var walk = ClassifierModel.ImageFileWalk(dir);
        var byPerson = walk.Files.Where(f => f.RelativePath.Contains('/', StringComparison.Ordinal))
            .GroupBy(f => f.RelativePath[..f.RelativePath.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        skipped += walk.Skipped.Count;
        foreach (var person in byPerson)
            foreach (var file in person)
            {
                photos++;
                try
                {
                    var result = analyzer.AnalyzeFile(file.FullPath, _options);
                    if (result.Faces.Count == 0) { skipped++; continue; }
                    faces.Add((person.Key, result.Faces.MaxBy(f => f.Box.Area)!.Descriptor));
                }
                catch (ImageDecodeException) { skipped++; }
            }
        var (same, different) = FaceThresholdCalibrator.Pairs(faces);
        return (FaceThresholdCalibrator.Calibrate(same, different, targetFar), photos, skipped, byPerson.Count);
    }

    public void StoreThreshold(float threshold, string provenance)
    {
        using var gallery = FaceGallery.Open(catalogPath);
        gallery.StoreThreshold(threshold, provenance);
    }
}
