namespace Lookout.Core.Runs;

/// <summary>CRC-32C (Castagnoli), the checksum TFRecord/tfevents files use, plus TensorFlow's masking.</summary>
public static class Crc32C
{
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>TensorFlow stores CRCs rotated and offset so a CRC over data that embeds CRCs stays well-behaved.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);

    public static uint Unmask(uint masked)
    {
        uint rot = unchecked(masked - 0xA282EAD8u);
        return (rot >> 17) | (rot << 15);
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
