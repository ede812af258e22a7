using Lookout.Core.Imaging;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Video;

namespace Lookout.Core.Studio.Walkthroughs;

/// <summary>One scored frame: what the segments say, the model's raw answer, and the answer after persistence smoothing.</summary>
public sealed record FrameScore(long TimeMs, string? Truth, bool Scored, string Predicted, string Smoothed, float Score);

/// <summary>Scores of a model on a walk-through, per frame and smoothed over time.</summary>
public sealed record WalkthroughEvaluation(string Model, int Frames, int Scored, double Accuracy, double SmoothedAccuracy, int PersistFrames,
    IReadOnlyList<FrameScore> Timeline)
{
    /// <summary>Accuracy per truth class (null key = "none of these"), raw and smoothed, with the frame count.</summary>
    public IReadOnlyList<(string? Label, int Frames, double Accuracy, double Smoothed)> PerClass =>
        Timeline.Where(f => f.Scored).GroupBy(f => f.Truth)
            .Select(g => (g.Key, g.Count(), g.Count(f => Correct(f.Truth, f.Predicted)) / (double)g.Count(), g.Count(f => Correct(f.Truth, f.Smoothed)) / (double)g.Count()))
            .OrderBy(x => x.Key ?? "\uffff", StringComparer.Ordinal).ToList();

    /// <summary>A frame of "none of these" is answered right only by "unknown" (the calibrated rejection).</summary>
    public static bool Correct(string? truth, string answer) => truth is null ? answer == RejectionThresholds.UnknownLabel : answer == truth;
}

/// <summary>Options of a walk-through evaluation; defaults in one place.</summary>
public sealed record WalkthroughEvalOptions
{
    public double FramesPerSecond { get; init; } = 2;
    /// <summary>A class is shown by the smoothed answer only after it won this many frames in a row (the seed app's rule).</summary>
    public int PersistFrames { get; init; } = 3;
    public FfmpegTools Tools { get; init; } = FfmpegTools.Default;
}

/// <summary>
/// Scores an exported classifier on a hand-labelled walk-through video: frames sampled at a fixed rate, each classified
/// through the same path as <c>classify</c> (a rejected frame answers "unknown"), compared with the segment it falls in
/// (frames outside every segment are not scored), and a smoothed answer that switches class only after it persisted.
/// Pure apart from reading the video; callable from the eval pipeline and the report.
/// </summary>
public static class WalkthroughEvaluator
{
    public static async Task<WalkthroughEvaluation> EvaluateAsync(ClassifierModel model, string videoPath, IReadOnlyList<TimeSegment> segments,
        WalkthroughEvalOptions? options = null, CancellationToken ct = default)
    {
        options ??= new WalkthroughEvalOptions();
        var raw = new List<(long Ms, string Label, float Score)>();
        await using (var reader = await FfmpegFrameReader.OpenAsync(videoPath, new FrameReaderOptions { FramesPerSecond = options.FramesPerSecond, MaxSide = 640, Tools = options.Tools }, ct).ConfigureAwait(false))
        {
            await foreach (var frame in reader.ReadFramesAsync(ct).ConfigureAwait(false))
            {
                var r = model.ClassifyImage(FrameFitter.Fit(frame.Pixels, model.Spec), 1);
                raw.Add(((long)Math.Round(frame.Time.TotalMilliseconds), r.Label ?? RejectionThresholds.UnknownLabel, r.Top?.Score ?? 0));
            }
        }
        return Score(model.RunId ?? Path.GetFileNameWithoutExtension(model.ModelPath), raw, segments, options.PersistFrames);
    }

    /// <summary>The scoring itself, on already-classified frames (time, answer, score) in time order.</summary>
    public static WalkthroughEvaluation Score(string modelName, IReadOnlyList<(long Ms, string Label, float Score)> frames, IReadOnlyList<TimeSegment> segments, int persist)
    {
        if (persist < 1) throw new ArgumentOutOfRangeException(nameof(persist), persist, "at least 1 frame");
        var smoothed = Smooth(frames.Select(f => f.Label).ToList(), persist);
        var timeline = new List<FrameScore>(frames.Count);
        for (int i = 0; i < frames.Count; i++)
        {
            var seg = segments.FirstOrDefault(s => s.Contains(frames[i].Ms));
            timeline.Add(new FrameScore(frames[i].Ms, seg?.Label, seg is not null, frames[i].Label, smoothed[i], frames[i].Score));
        }
        var scored = timeline.Where(f => f.Scored).ToList();
        double Acc(Func<FrameScore, string> answer) => scored.Count == 0 ? 0 : scored.Count(f => WalkthroughEvaluation.Correct(f.Truth, answer(f))) / (double)scored.Count;
        return new WalkthroughEvaluation(modelName, frames.Count, scored.Count, Acc(f => f.Predicted), Acc(f => f.Smoothed), persist, timeline);
    }

    /// <summary>Persistence smoothing: the shown answer changes to a class only once it was the raw answer <paramref name="persist"/> frames in a row; until the first class persisted it is "unknown".</summary>
    public static IReadOnlyList<string> Smooth(IReadOnlyList<string> raw, int persist)
    {
        var shown = new string[raw.Count];
        string current = RejectionThresholds.UnknownLabel;
        int run = 0;
        for (int i = 0; i < raw.Count; i++)
        {
            run = i > 0 && raw[i] == raw[i - 1] ? run + 1 : 1;
            if (run >= persist) current = raw[i];
            shown[i] = current;
        }
        return shown;
    }
}
