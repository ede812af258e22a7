using System.CommandLine;
using Lookout.Core;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Video.Analysis;

namespace Lookout.Cli.Infrastructure;

/// <summary>What video and watch run on each frame: a trained classifier, a COCO detector, or both.</summary>
public static class FrameAnalyzers
{
    public static IFrameAnalyzer Create(ParseResult parse, string? model, string? detector, float detectorMinScore)
    {
        var parts = new List<IFrameAnalyzer>();
        if (model is not null) parts.Add(ClassifierFrameAnalyzer.Load(Locations.Model(parse, model)));
        if (detector is not null)
            parts.Add(new DetectorFrameAnalyzer(CatalogObjectDetector.Open(detector, new DetectorOptions { MinScore = detectorMinScore }), detectorMinScore));
        return parts.Count switch
        {
            0 => throw new LookoutException($"nothing to run: pass --model <model.onnx|run> and/or --detector ({string.Join("|", DetectorModel.Names)})"),
            1 => parts[0],
            _ => new CompositeFrameAnalyzer(parts),
        };
    }
}
