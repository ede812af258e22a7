using Lookout.Core.IO;
using System.Globalization;
using Lookout.Core.Imaging;
using Lookout.Core.Video.Analysis;
using Lookout.Core.Video.Drawing;
using Lookout.Core.Watch.Rules;
using Lookout.Core.Inference;

namespace Lookout.Core.Watch.Alerts.Actions;

/// <summary>
/// The snapshot action: the alert frame with the analysis and the rule burned in, saved as JPEG by temp file +
/// rename, so a kill never leaves half an image. Names sort by time: <c>yyyyMMdd-HHmmss-fff_camera_rule_id.jpg</c>.
/// </summary>
public sealed class SnapshotWriter(SnapshotActionConfig config, string workspace)
{
    public string Directory { get; } = Path.GetFullPath(Path.IsPathRooted(config.Dir) ? config.Dir : Path.Combine(workspace, config.Dir));

    /// <summary>
    /// Deletes temp files a killed run left behind (hidden <c>.*.tmp</c>); finished snapshots are never touched.
    /// Returns how many were removed.
    /// </summary>
    public int RemoveLeftovers()
    {
        if (!System.IO.Directory.Exists(Directory)) return 0;
        int removed = 0;
        foreach (var temp in System.IO.Directory.EnumerateFiles(Directory, ".*.tmp"))
        {
            try { File.Delete(temp); removed++; }
            catch (IOException) { }
        }
        return removed;
    }

    public string Write(AlertEvent alert, RgbImage frame, FrameAnalysis analysis)
    {
        var path = PathFor(alert);
        Save(path, Render(alert, frame, analysis));
        return path;
    }

    /// <summary>The annotated alert frame as JPEG bytes (what <see cref="Write"/> saves; a shared event log stores them in its row).</summary>
    public byte[] Render(AlertEvent alert, RgbImage frame, FrameAnalysis analysis)
    {
        var caption = $"{alert.Camera} {alert.Rule}: {alert.Label} {FrameAnnotator.Percent(alert.Score)} {alert.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
        var annotated = FrameAnnotator.Annotate(frame, analysis, topK: 3, caption: caption);
        if (alert.Box is { } box)
        {
            var canvas = new Canvas(annotated);
            FrameAnnotator.DrawBox(canvas, new Detection(alert.Label, alert.Score, box), FrameAnnotator.ScaleFor(frame) + 1, Rgb.Red);
            annotated = canvas.ToImage();
        }
        return FrameFitter.Encode(annotated, $".jpg[Q={config.Quality}]");
    }

    /// <summary>Where <paramref name="alert"/>'s snapshot goes: names sort by time and never collide (the id is in them).</summary>
    public string PathFor(AlertEvent alert)
    {
        var name = string.Join('_', alert.Time.UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture),
            Safe(alert.Camera), Safe(alert.Rule), alert.Id[..Math.Min(8, alert.Id.Length)]) + ".jpg";
        return Path.Combine(Directory, name);
    }

    /// <summary>Saves rendered JPEG bytes by temp file + rename.</summary>
    public void Save(string path, byte[] jpeg) => AtomicFile.WriteAllBytes(path, jpeg);

    private static string Safe(string s)
    {
        var chars = s.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '-').ToArray();
        var safe = new string(chars).Trim('-', '.');
        return safe.Length == 0 ? "x" : safe[..Math.Min(40, safe.Length)];
    }
}
