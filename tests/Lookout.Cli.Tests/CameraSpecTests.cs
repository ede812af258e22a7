using Lookout.Cli.Commands;

namespace Lookout.Cli.Tests;

public class CameraSpecTests
{
    [Theory]
    [InlineData("garden=rtsp://cam1/stream?channel=1", "garden", "rtsp://cam1/stream?channel=1")]
    [InlineData("door=/dev/video0", "door", "/dev/video0")]
    [InlineData("rtsp://cam1/stream?channel=1", null, "rtsp://cam1/stream?channel=1")]
    [InlineData("clips/a=b.mp4", null, "clips/a=b.mp4")]
    [InlineData("=x.mp4", null, "=x.mp4")]
    public void NameIsTakenOnlyFromASimplePrefix(string spec, string? name, string source) =>
        Assert.Equal((name, source), CameraSpec.Parse(spec));
}
