using Lookout.Core.Imaging;
using Lookout.Core.Video;

namespace Lookout.Core.Tests.Video;

/// <summary>Generated frames and ffmpeg-made clips for video and dataset tests.</summary>
internal static class TestClips
{
    /// <summary>A blocky random pattern: different seeds give very different perceptual hashes.</summary>
    public static RgbImage Pattern(int seed, int width = 64, int height = 48, int block = 8)
    {
        var rng = new Random(seed);
        int cols = (width + block - 1) / block, rows = (height + block - 1) / block;
        var cells = new byte[cols * rows * 3];
        rng.NextBytes(cells);
        var px = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int c = ((y / block) * cols + x / block) * 3, i = (y * width + x) * 3;
                px[i] = cells[c]; px[i + 1] = cells[c + 1]; px[i + 2] = cells[c + 2];
            }
        return new RgbImage(width, height, px);
    }

    /// <summary>Writes a clip: each (image, seconds) segment is held for that long at <paramref name="fps"/>.</summary>
    public static async Task<string> WriteAsync(string path, double fps, params (RgbImage Image, double Seconds)[] segments)
    {
        var first = segments[0].Image;
        await using var writer = FfmpegVideoWriter.Create(path, first.Width, first.Height, fps);
        foreach (var (image, seconds) in segments)
            for (int i = 0; i < (int)Math.Round(seconds * fps); i++)
                await writer.WriteAsync(image);
        await writer.CompleteAsync();
        return path;
    }
}
