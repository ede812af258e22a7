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

    [Fact]
    public void CameraList_SkipsCommentsAndBlankLines_AndResolvesRelativeSourcesAgainstItsFolder()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-cameras-").FullName;
        try
        {
            var list = Path.Combine(dir, "cameras.txt");
            File.WriteAllLines(list, ["# the yard", "", "gate=clips/gate.mp4", "  door = rtsp://cam2/stream?a=b  ", "/srv/snapshots/garage", "porch=/dev/video0"]);
            Assert.Equal([$"gate={Path.Combine(dir, "clips/gate.mp4")}", "door=rtsp://cam2/stream?a=b", "/srv/snapshots/garage", "porch=/dev/video0"],
                CameraSpec.ReadList(list));
            Assert.Throws<Lookout.Core.LookoutException>(() => CameraSpec.ReadList(Path.Combine(dir, "missing.txt")));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
