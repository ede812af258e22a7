using Lookout.Core.Imaging;

namespace Lookout.Core.Studio.Import;

/// <summary>What received bytes are, from their first bytes only (never the file name or Content-Type).</summary>
public sealed record SniffedMedia(bool IsVideo, string Extension);

public static class MediaSniffer
{
    /// <summary>The kind and the extension to store under, or null when the bytes are neither an image nor a video Lookout reads.</summary>
    public static SniffedMedia? Sniff(ReadOnlySpan<byte> head)
    {
        var image = ImageSniffer.Format(head);
        if (image is not null) return new SniffedMedia(false, image switch { "jpeg" => ".jpg", "tiff" => ".tif", _ => "." + image });
        // ISO base media (mp4, mov, m4v): a box size, then 'ftyp' at offset 4.
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
            return new SniffedMedia(true, head[8..10].SequenceEqual("qt"u8) ? ".mov" : ".mp4");
        // Matroska / WebM (MediaRecorder's output in Chromium and Firefox): the EBML magic.
        if (head.Length >= 4 && head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3)
            return new SniffedMedia(true, head.IndexOf("webm"u8) >= 0 ? ".webm" : ".mkv");
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("AVI "u8))
            return new SniffedMedia(true, ".avi");
        return null;
    }
}
