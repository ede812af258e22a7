namespace Lookout.Core.Models.Catalog;

/// <summary>
/// Where downloaded and derived artefacts live: <c>$LOOKOUT_CACHE</c>, else the <c>.cache</c> folder of the
/// repository the program runs from (found by walking up to <c>Lookout.slnx</c>), else <c>~/.cache/lookout</c>.
/// </summary>
public static class LookoutCache
{
    public const string EnvironmentVariable = "LOOKOUT_CACHE";
    public const string HumanModelsFolder = "human-models-3.0.4";

    public static string Root()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lookout.slnx"))) return Path.Combine(dir.FullName, ".cache");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lookout");
    }

    /// <summary>The TF.js models fetched by <c>scripts/fetch-models.sh</c>.</summary>
    public static string HumanModels(string root) => Path.Combine(root, HumanModelsFolder, "models");

    /// <summary>Model files copied out of a NuGet package by <c>scripts/fetch-nuget-models.sh</c>.</summary>
    public static string NuGetModels(string root, string package, string version) => Path.Combine(root, "nuget", $"{package}-{version}");
}
