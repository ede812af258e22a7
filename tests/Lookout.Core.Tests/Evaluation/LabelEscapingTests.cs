using Lookout.Core.Evaluation;
using Lookout.Core.IO;
using Lookout.Core.Models.Backbones;

namespace Lookout.Core.Tests.Evaluation;

/// <summary>Label text never breaks a Markdown table or runs as a spreadsheet formula, whatever reached the model.</summary>
public class LabelEscapingTests
{
    [Fact]
    public void MarkdownTables_KeepOneRowPerClass_WithOddLabels()
    {
        string[] labels = ["a|b", "new\nline", "<b>bold</b>&*x*"];
        var items = new List<ReportBuilder.Scored>
        {
            new("x1", 0, [0.8f, 0.1f, 0.1f]), new("x2", 1, [0.1f, 0.8f, 0.1f]), new("x3", 2, [0.1f, 0.1f, 0.8f]),
        };
        var md = ReportText.Markdown(ReportBuilder.Build("m", "test", labels, items, [new ItemError("bad\n|file.jpg", "corrupt")]));
        var lines = md.Split('\n');
        var perClass = lines.SkipWhile(l => !l.StartsWith("## Per class", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();
        Assert.Equal(3, perClass.Count);                                               // one row per class: no line break got through
        Assert.All(perClass, r => Assert.Equal(7, r.Split(" | ").Length));             // 7 columns: no cell split by a '|'
        Assert.Contains(@"| a\|b | 1 |", md);
        Assert.Contains(@"| new\u000Aline | 1 |", md);
        Assert.Contains(@"&lt;b&gt;bold&lt;/b&gt;&amp;\*x\*", md);
        Assert.Contains(@"- bad\u000A\|file.jpg: corrupt", md);
    }

    [Fact]
    public void CsvFields_AreQuoted_AndNeverFormulas()
    {
        Assert.Equal("cat", CsvText.Field("cat"));
        Assert.Equal("\"a,b\"", CsvText.Field("a,b"));
        Assert.Equal("\"new\nline\"", CsvText.Field("new\nline"));
        Assert.Equal("'=HYPERLINK(1)", CsvText.Field("=HYPERLINK(1)"));
        Assert.Equal("'@SUM(A1)", CsvText.Field("@SUM(A1)"));
        Assert.Equal("'\tx", CsvText.Field("\tx"));
        Assert.Equal("\"'\rx\"", CsvText.Field("\rx"));
    }
}
