using System.Reflection;

namespace Lookout.Core;

/// <summary>
/// The code that produced a run or model: the git commit the SDK stamps into the informational version
/// (<c>0.1.0+&lt;sha&gt;</c>) when built from a repository, else the assembly version.
/// </summary>
public static class CodeVersion
{
    private static readonly string Informational =
        typeof(CodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CodeVersion).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Product version without build metadata, e.g. <c>0.1.0</c>.</summary>
    public static string Version => Informational.Split('+')[0];

    /// <summary>Git commit if known, else null.</summary>
    public static string? Commit => Informational.Split('+') is [_, var sha, ..] && sha.Length >= 7 ? sha : null;

    /// <summary>What runs record: the commit if known, else the version.</summary>
    public static string Current => Commit ?? Version;
}
