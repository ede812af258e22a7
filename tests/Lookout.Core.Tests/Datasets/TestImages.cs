using Lookout.Core.Tests.Video;
using NetVips;

namespace Lookout.Core.Tests.Datasets;

/// <summary>Writes small generated image files for dataset tests.</summary>
internal static class TestImages
{
    public static string Png(string path, int seed, int width = 32, int height = 24) => Save(path, seed, width, height, ".png");

    public static string Jpeg(string path, int seed, int width = 32, int height = 24, int? orientation = null) =>
        Save(path, seed, width, height, ".jpg", orientation);

    public static byte[] Bytes(int seed, string format, int width = 32, int height = 24)
    {
        using var img = Vips(seed, width, height);
        return format == ".png" ? img.PngsaveBuffer() : img.JpegsaveBuffer();
    }

    private static string Save(string path, int seed, int width, int height, string format, int? orientation = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = Vips(seed, width, height);
        using var tagged = orientation is { } o ? img.Mutate(m => m.Set(NetVips.GValue.GIntType, "orientation", o)) : img.Copy();
        File.WriteAllBytes(path, format == ".png" ? tagged.PngsaveBuffer() : tagged.JpegsaveBuffer(keep: Enums.ForeignKeep.All));
        return path;
    }

    private static Image Vips(int seed, int width, int height)
    {
        var rgb = TestClips.Pattern(seed, width, height, block: 4);
        return Image.NewFromMemory(rgb.Pixels, width, height, 3, Enums.BandFormat.Uchar);
    }
}
