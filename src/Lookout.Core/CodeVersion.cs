using System.Diagnostics;
using System.Reflection;

namespace Lookout.Core;

/// <summary>Which code produced a run or a model: the assembly version and, when run from a git checkout, the commit.</summary>
public static class CodeVersion
{
    public static string Version { get; } =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static readonly Lazy<string?> Commit = new(ReadGitCommit);

    /// <summary>HEAD commit (with "-dirty" when the work tree has changes), or null outside a git checkout.</summary>
    public static string? GitCommit => Commit.Value;

    private static string? ReadGitCommit()
    {
        var dir = AppContext.BaseDirectory;
        try
        {
            var head = Git(dir, "rev-parse HEAD");
            if (head is null) return null;
            var dirty = Git(dir, "status --porcelain --untracked-files=no");
            return string.IsNullOrEmpty(dirty) ? head : head + "-dirty";
        }
        catch (Exception) { return null; }
    }

    private static string? Git(string dir, string args)
    {
        var psi = new ProcessStartInfo("git", args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi);
        if (p is null) return null;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit(5000);
        return p.ExitCode == 0 ? text : null;
    }
}
