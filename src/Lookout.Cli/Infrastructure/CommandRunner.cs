using System.CommandLine;
using Lookout.Core;
using Lookout.Core.IO;

namespace Lookout.Cli.Infrastructure;

/// <summary>
/// Binds a command's action with the shared behaviour: build <see cref="CliOutput"/>, map known failures to a
/// one-line error on stderr and a non-zero exit code, never a stack trace for a user mistake.
/// </summary>
public static class CommandRunner
{
    public static void SetHandler(Command command, Func<ParseResult, CliOutput, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            var output = new CliOutput(parse.GetValue(GlobalOptions.Json), parse.GetValue(GlobalOptions.Quiet));
            try
            {
                return await action(parse, output, ct);
            }
            catch (OperationCanceledException)
            {
                output.Error("cancelled");
                return ExitCodes.Cancelled;
            }
            catch (Exception e) when (DiskFull.Is(e))
            {
                output.Error(DiskFull.Explain(e, parse.GetResult(GlobalOptions.Workspace)?.GetValueOrDefault<string?>()).Message);
                return ExitCodes.Failure;
            }
            catch (Exception e) when (IsUserFacing(e))
            {
                output.Error(e.Message);
                return ExitCodes.Failure;
            }
            catch (Exception e)
            {
                output.Error($"{e.GetType().Name}: {e.Message}");
                if (Environment.GetEnvironmentVariable("LOOKOUT_DEBUG") == "1") Console.Error.WriteLine(e);
                else output.Note("set LOOKOUT_DEBUG=1 for the stack trace");
                return ExitCodes.Failure;
            }
        });
    }

    private static bool IsUserFacing(Exception e) =>
        e is LookoutException or FileNotFoundException or DirectoryNotFoundException
          or InvalidDataException or UnauthorizedAccessException or IOException or ArgumentException or KeyNotFoundException;
}
