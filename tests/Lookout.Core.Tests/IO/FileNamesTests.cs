using Lookout.Core.IO;

namespace Lookout.Core.Tests.IO;

public class FileNamesTests
{
    [Fact]
    public void Escape_KeepsValidUtf8_AndWritesEveryBadByteAsHex()
    {
        Assert.Equal("déjà.png", FileNames.Escape("déjà.png"u8));
        Assert.Equal(@"\xFF\xFE.png", FileNames.Escape([0xFF, 0xFE, (byte)'.', (byte)'p', (byte)'n', (byte)'g']));
        Assert.Equal(@"d\xE9ja", FileNames.Escape([(byte)'d', 0xE9, (byte)'j', (byte)'a']));
        Assert.Equal(@"a\xE2\x82", FileNames.Escape([(byte)'a', 0xE2, 0x82]));                   // truncated euro sign
        Assert.Equal(@"\xC0\xAF", FileNames.Escape([0xC0, 0xAF]));                                 // overlong '/'
        Assert.Null(FileNames.TryDecode([0xFF]));
        Assert.Equal("€", FileNames.TryDecode("€"u8));
    }

    [Fact]
    public void Printable_ShowsLineBreaksAndControls()
    {
        Assert.Equal(@"a\u000Ab\u0009c\u2028", FileNames.Printable("a\nb\tc\u2028"));
        Assert.Equal("plain", FileNames.Printable("plain"));
    }
}
