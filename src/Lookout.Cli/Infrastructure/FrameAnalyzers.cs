using System.CommandLine;
using Lookout.Core;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Video.Analysis;

namespace Lookout.Cli.Infrastructure;

/// <summary>What video and watch run on each frame: a trained classifier, a COCO detector, or both.</summary>
public static class FrameAnalyzers
{
    /// <param name="facesCatalog">The workspace catalog whose enrolled faces are recognised, or null for no faces.</param>
    /// <param name="detectorRunner">The detector's session settings (the watcher gives each of its per-core passes one thread).</param>
    public static IFrameAnalyzer Create(ParseResult parse, string? model, string? detector, float detectorMinScore, string? facesCatalog = null,
        Lookout.Core.Models.OnnxRunnerOptions? detectorRunner = null)
    {
        var parts = new List<IFrameAnalyzer>();
        if (facesCatalog is not null) parts.Add(FaceFrameAnalyzer.Open(facesCatalog));
        if (model is not null) parts.Add(ClassifierFrameAnalyzer.Load(Locations.Model(parse, model)));
        if (detector is not null)
            parts.Add(new DetectorFrameAnalyzer(CatalogObjectDetector.Open(Commands.DetectCommand.ResolveModel(parse, detector), new DetectorOptions { MinScore = detectorMinScore }, detectorRunner), detectorMinScore));
        return parts.Count switch
        {
            0 => throw new LookoutException($"nothing to run: pass --model <model.onnx|run>, --detector ({string.Join("|", DetectorModel.Names)}) and/or --faces"),
            1 => parts[0],
            _ => new CompositeFrameAnalyzer(parts),
        };
    }
}
