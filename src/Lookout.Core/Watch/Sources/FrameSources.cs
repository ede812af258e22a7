namespace Lookout.Core.Watch.Sources;

/// <summary>Turns the <c>lookout watch &lt;source&gt;</c> argument into a source: a folder of uploaded images, or anything ffmpeg reads.</summary>
public static class FrameSources
{
    public static IFrameSource Create(string source, SourceOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(source)) throw new LookoutException("no source given (a video file, rtsp:// or http:// URL, /dev/videoN or an image folder)");
        if (Directory.Exists(source))
            return new FolderSource(source, new FolderSourceOptions { MaxSide = options?.MaxSide ?? 1280 });
        return new FfmpegSource(source, options);
    }
}
