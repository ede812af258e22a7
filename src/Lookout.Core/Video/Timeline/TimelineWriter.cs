using Lookout.Core.IO;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Lookout.Core.Video.Timeline;

/// <summary>Writes a video timeline as JSON (frames + segments) or CSV (one row per analysed frame), atomically.</summary>
public static class TimelineWriter
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string ToJson(VideoReport report)
    {
        var doc = new
        {
            video = report.Video,
            analyzer = report.Analyzer,
            sample_fps = report.SampleFps,
            duration_s = report.Info.Duration?.TotalSeconds,
            frames_decoded = report.FramesDecoded,
            frames_analysed = report.Timeline.Count,
            segments = report.Segments.Select(s => new
            {
                label = s.Label, start = Seconds(s.Start), end = Seconds(s.End), frames = s.Frames,
                mean_score = Round(s.MeanScore), max_score = Round(s.MaxScore),
            }),
            frames = report.Timeline.Select(e => new
            {
                seq = e.Seq, time = Seconds(e.Time),
                top = e.Top.Select(p => new { label = p.Label, score = Round(p.Score) }),
                detections = e.Detections.Select(d => new
                {
                    label = d.Label, score = Round(d.Score), box = new[] { Round(d.Box.X1), Round(d.Box.Y1), Round(d.Box.X2), Round(d.Box.Y2) },
                }),
            }),
        };
        return JsonSerializer.Serialize(doc, Json);
    }

    /// <summary>
    /// Columns: time, seq, then label_i/score_i for the top-k, then detections as
    /// <c>label:score:x1:y1:x2:y2</c> joined by ';'. Numbers use the invariant culture.
    /// </summary>
    public static string ToCsv(IReadOnlyList<TimelineEntry> timeline, int topK)
    {
        var sb = new StringBuilder("time,seq");
        for (int k = 1; k <= topK; k++) sb.Append(CultureInfo.InvariantCulture, $",label_{k},score_{k}");
        sb.Append(",detections\n");
        foreach (var e in timeline)
        {
            sb.Append(Seconds(e.Time).ToString("0.###", CultureInfo.InvariantCulture)).Append(',').Append(e.Seq);
            for (int k = 0; k < topK; k++)
            {
                if (k < e.Top.Count) sb.Append(',').Append(Csv(e.Top[k].Label)).Append(',').Append(e.Top[k].Score.ToString("0.######", CultureInfo.InvariantCulture));
                else sb.Append(",,");
            }
            var dets = e.Detections.Select(d => string.Join(':', d.Label.Replace(':', '_').Replace(';', '_'),
                F(d.Score), F(d.Box.X1), F(d.Box.Y1), F(d.Box.X2), F(d.Box.Y2)));
            sb.Append(',').Append(Csv(string.Join(';', dets))).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes text to a temp file beside <paramref name="path"/> and renames it, so readers never see half a file.</summary>
    public static void WriteAtomic(string path, string text) => AtomicFile.WriteAllText(path, text);

    private static string Csv(string s) => CsvText.Field(s);
    private static string F(float v) => v.ToString("0.####", CultureInfo.InvariantCulture);
    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);
    private static double Round(float v) => Math.Round(v, 5);
}
