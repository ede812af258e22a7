using System.Text.Json;

namespace Lookout.Cli.Tests;

public class BasicCommandTests
{
    private static readonly string Cwd = Path.GetTempPath();

    [Fact]
    public void Version_Json_IsParseable()
    {
        var r = CliRunner.Run(Cwd, "version", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.StdOut);
        Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("version").GetString()));
    }

    [Fact]
    public void UnknownCommand_FailsWithNonZeroExit()
    {
        var r = CliRunner.Run(Cwd, "no-such-command");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("no-such-command", r.StdErr);
    }

    [Fact]
    public void Help_ListsCommands()
    {
        var r = CliRunner.Run(Cwd, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("version", r.StdOut);
    }
}
