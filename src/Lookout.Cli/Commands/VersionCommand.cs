using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;

namespace Lookout.Cli.Commands;

public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Lookout's version and code revision.");
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var info = new { version = CodeVersion.Version, commit = CodeVersion.Commit };
            if (output.Json) output.WriteJson(info);
            else output.Line($"lookout {info.version} ({info.commit ?? "unknown commit"})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
