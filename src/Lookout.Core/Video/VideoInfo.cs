namespace Lookout.Core.Video;

/// <summary>
/// What ffprobe says about a source's first video stream. <see cref="Width"/>/<see cref="Height"/> are as stored;
/// <see cref="DisplayWidth"/>/<see cref="DisplayHeight"/> apply <see cref="Rotation"/> (ffmpeg auto-rotates on decode,
/// so decoded frames have the display size).
/// </summary>
public sealed record VideoInfo(int Width, int Height, int Rotation, TimeSpan? Duration, double? FrameRate, string Codec, string Container)
{
    private bool Sideways => Math.Abs(Rotation % 180) == 90;
    public int DisplayWidth => Sideways ? Height : Width;
    public int DisplayHeight => Sideways ? Width : Height;
}
