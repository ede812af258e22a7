using System.Text.RegularExpressions;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// The leakage group of an image in a box dataset. Video exports name frames <c>frame_000123.jpg</c> (CVAT, one
/// folder per video) or <c>clip_frame_12.png</c>: such frames share the group "folder/clip" so frames of one video
/// never straddle train and test. Any other image is its own group (<c>IMG_0001.jpg</c> and <c>IMG_0002.jpg</c> are
/// different photos, not frames).
/// </summary>
public static partial class BoxGroups
{
    /// <summary>How a video's group key starts (what follows names the video).</summary>
    public const string VideoPrefix = "video:";

    public static string Of(string relativePath)
    {
        var path = relativePath.Replace('\\', '/');
        var dir = Path.GetDirectoryName(path)?.Replace('\\', '/') ?? "";
        var m = Frame().Match(Path.GetFileNameWithoutExtension(path));
        if (!m.Success) return "image:" + path;
        return VideoPrefix + (dir.Length == 0 ? "" : dir + "/") + m.Groups[1].Value;
    }

    /// <summary>The frame number in a frame's file name (<c>clip_frame_12.png</c> → 12), or null for any other image.</summary>
    public static long? FrameNumber(string relativePath)
    {
        var m = Frame().Match(Path.GetFileNameWithoutExtension(relativePath.Replace('\\', '/')));
        return m.Success && long.TryParse(m.Groups[2].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    [GeneratedRegex(@"^(.*?)[_\-. ]*frame[_\-. ]*(\d+)$", RegexOptions.IgnoreCase)]
    private static partial Regex Frame();
}
