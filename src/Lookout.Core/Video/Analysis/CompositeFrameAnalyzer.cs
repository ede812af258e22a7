using Lookout.Core.Imaging;

namespace Lookout.Core.Video.Analysis;

/// <summary>Runs several analyzers (e.g. classifier + detector) on the same frame and merges what they saw.</summary>
public sealed class CompositeFrameAnalyzer : IFrameAnalyzer
{
    private readonly IReadOnlyList<IFrameAnalyzer> _parts;

    public CompositeFrameAnalyzer(IReadOnlyList<IFrameAnalyzer> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("at least one analyzer is needed", nameof(parts));
        _parts = parts;
    }

    public string Name => string.Join('+', _parts.Select(p => p.Name));
    public IReadOnlyList<string> Labels => _parts.SelectMany(p => p.Labels).Distinct().ToArray();
    public AnalyzerKinds Kinds => _parts.Aggregate(AnalyzerKinds.None, (k, p) => k | p.Kinds);

    public FrameAnalysis Analyze(RgbImage frame)
    {
        var result = FrameAnalysis.Empty;
        foreach (var p in _parts) result = result.Merge(p.Analyze(frame));
        return result;
    }

    public IReadOnlyList<FrameAnalysis> AnalyzeMany(IReadOnlyList<RgbImage> frames)
    {
        var results = Enumerable.Repeat(FrameAnalysis.Empty, frames.Count).ToArray();
        foreach (var p in _parts)
        {
            var partial = p.AnalyzeMany(frames);
            for (int i = 0; i < results.Length; i++) results[i] = results[i].Merge(partial[i]);
        }
        return results;
    }

    public void Dispose()
    {
        foreach (var p in _parts) p.Dispose();
    }
}
