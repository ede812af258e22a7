using System.Diagnostics;
using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Inference.Faces;
using Lookout.Core.Models.Catalog;

namespace Lookout.Bench;

/// <summary>
/// Detector latency at batch 1 (model input already decoded: inference + C# decode + NMS), median of N, for nanodet
/// and centernet in the same run, plus the face pipeline (BlazeFace + FaceRes on every face) per photo. Uses the
/// cached face-api sample photos (scripts/fetch-samples.sh) and also reports person recall on them at the default
/// score against the number of people each photo shows (counted by eye: 3,3,3,4,6,4).
/// </summary>
public static class DetectorBench
{
    private const int Runs = 15;
    private static readonly int[] PeopleShown = [3, 3, 3, 4, 6, 4];

    public static void Run()
    {
        var dir = Path.Combine(LookoutCache.Root(), "samples", "face-api-1.7.15");
        var photos = Enumerable.Range(1, 6).Select(n => Path.Combine(dir, $"sample{n}.jpg")).ToList();
        if (!photos.All(File.Exists)) { Console.WriteLine($"sample photos missing in {dir}: run scripts/fetch-samples.sh"); return; }
        double? baseline = null;
        foreach (var name in DetectorModel.Names)
        {
            using var det = DetectorService.Open(name);
            var inputs = photos.Select(p => ImageDecoder.Decode(ImageSource.FromFile(p), ImageTarget.For(det.Spec))).Select(d => (Image: d.Pixels, Size: (d.Width, d.Height))).ToList();
            for (int i = 0; i < 3; i++) det.Detect([inputs[0].Image], [inputs[0].Size]); // warm-up
            var times = new List<double>();
            for (int i = 0; i < Runs; i++)
            {
                var (img, size) = inputs[i % inputs.Count];
                var sw = Stopwatch.StartNew();
                det.Detect([img], [size]);
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            double median = times.Order().ElementAt(times.Count / 2);
            baseline ??= median;
            var found = inputs.Select(t => det.Detect([t.Image], [t.Size])[0].Count(d => d.Label == "person")).ToList();
            int recalled = found.Zip(PeopleShown, Math.Min).Sum();
            var best = inputs.Max(t => det.Detect([t.Image], [t.Size])[0].Where(d => d.Label == "person").Select(d => d.Score).DefaultIfEmpty(0).Max());
            Console.WriteLine($"{name,-10} {det.Spec.Width}px batch 1: {median,6:F1} ms/image median of {Runs} (x{median / baseline.Value:F2} vs {DetectorModel.Names[0]})  " +
                $"persons at >= {DetectorOptions.DefaultMinScore}: {string.Join(",", found)} of {string.Join(",", PeopleShown)} -> {recalled}/{PeopleShown.Sum()}  " +
                $"best person {best:0.00}  licence {det.Licence.Name}");
        }

        using var faces = FaceAnalyzer.Open();
        var decoded = photos.Select(p => ImageDecoder.Decode(ImageSource.FromFile(p), ImageTarget.Within(FaceAnalyzer.WorkingSide)).Pixels).ToList();
        faces.Analyze(decoded[0]);
        var faceTimes = new List<double>();
        var detectTimes = new List<double>();
        int faceCount = 0;
        for (int i = 0; i < Runs; i++)
        {
            var img = decoded[i % decoded.Count];
            var sw = Stopwatch.StartNew();
            var found = faces.DetectFaces(img);
            detectTimes.Add(sw.Elapsed.TotalMilliseconds);
            faces.Describe(img, found);
            faceTimes.Add(sw.Elapsed.TotalMilliseconds);
            if (i < decoded.Count) faceCount += found.Count;
        }
        Console.WriteLine($"faces      BlazeFace 256 letterbox: {detectTimes.Order().ElementAt(Runs / 2),6:F1} ms/photo; + FaceRes 224 on each face: " +
            $"{faceTimes.Order().ElementAt(Runs / 2),6:F1} ms/photo median ({faceCount} faces in 6 photos, ~{faceCount / 6.0:F1} per photo)");
    }
}
