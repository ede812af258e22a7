using System.CommandLine;

namespace Lookout.Cli.Infrastructure;

/// <summary>Options every command accepts (declared once, recursive on the root).</summary>
public static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write machine-readable JSON to stdout (progress and messages go to stderr).",
        Recursive = true,
    };

    public static readonly Option<string?> Workspace = new("--workspace", "-w")
    {
        Description = "Workspace folder (catalog, caches, runs). Default: .lookout beside the data, or in the current folder.",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "No progress bars.",
        Recursive = true,
    };
}
