namespace Lookout.Core.Imaging;

/// <summary>Interleaved 8-bit RGB pixels, row-major (HxWx3): exactly what an exported model's <c>image</c> input takes.</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public int ByteCount => Width * Height * 3;
}
