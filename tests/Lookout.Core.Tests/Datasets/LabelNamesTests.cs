using Lookout.Core.Datasets;
using Lookout.Core.Inference.Rejection;

namespace Lookout.Core.Tests.Datasets;

public class LabelNamesTests
{
    [Theory]
    [InlineData("cat")]
    [InlineData("sump pump")]
    [InlineData("<i>circle&co")]
    [InlineData("chat noir é 猫 👩‍👩‍👧")]
    [InlineData("unknown-ish")]
    [InlineData("a|b")]
    public void Ordinary_Labels_AreAccepted(string label) => Assert.Null(LabelNames.Problem(label));

    [Theory]
    [InlineData("", "blank")]
    [InlineData("   ", "blank")]
    [InlineData("unknown", "reserved")]
    [InlineData("UNKNOWN", "reserved")]
    [InlineData("a\nb", "line break")]
    [InlineData("a\rb", "control")]
    [InlineData("a\u2028b", "line break")]
    [InlineData("a\u0000b", "control")]
    [InlineData(" cat", "space")]
    [InlineData("cat ", "space")]
    [InlineData("a\\b", "backslash")]
    public void Breaking_Labels_AreRefused_WithAReason(string label, string reason)
    {
        Assert.Contains(reason, LabelNames.Problem(label));
        Assert.Throws<ArgumentException>(() => LabelNames.Validate(label));
    }

    [Fact]
    public void TheReservedWord_IsTheRejectAnswer() => Assert.Equal(RejectionThresholds.UnknownLabel, LabelNames.Unknown);

    [Fact]
    public void Place_UsesOnlySlashes_SoABackslashNameIsNotALabelFolder()
    {
        Assert.Equal("not inside a label folder", FolderLayout.Place("a\\b.png", splitFolders: false).Problem);
        Assert.Contains("backslash", FolderLayout.Place("a\\b/c.png", splitFolders: false).Problem);
        Assert.Equal("cat", FolderLayout.Place("cat/deep/x.png", splitFolders: false).Label);
    }
}
