using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;

namespace Lookout.Core.Video.Analysis;

/// <summary>
/// The COCO detector service as the video/watch pipeline sees it: detections on a frame with boxes normalised to
/// 0..1, so zones and snapshots do not depend on the frame size the detector saw.
/// </summary>
public sealed class CatalogObjectDetector(DetectorService service, DetectorOptions? options = null) : IObjectDetector
{
    /// <param name="runner">Session settings, e.g. one intra-op thread when a scheduler runs one pass per core.</param>
    public static CatalogObjectDetector Open(string name = DetectorModel.DefaultName, DetectorOptions? options = null, OnnxRunnerOptions? runner = null) =>
        new(DetectorService.Open(name, options: runner), options);

    public string Name => service.Name;
    public IReadOnlyList<string> Labels => service.Labels;

    public IReadOnlyList<Detection> Detect(RgbImage frame) => DetectMany([frame])[0];

    public IReadOnlyList<IReadOnlyList<Detection>> DetectMany(IReadOnlyList<RgbImage> frames) =>
        service.Detect(frames, options).Select((found, i) =>
            (IReadOnlyList<Detection>)found.Select(d => d with { Box = d.Box.Normalize(frames[i].Width, frames[i].Height) }).ToList()).ToList();

    public void Dispose() => service.Dispose();
}
