using System.Globalization;
using Lookout.Core.IO;
using Lookout.Core.Runs;

namespace Lookout.Core.Studio.Serving;

/// <summary>One promotion: from <see cref="Time"/> on, run <see cref="Run"/> answered under model name <see cref="Name"/>.</summary>
public sealed record ServingRecord(long Id, DateTimeOffset Time, string Name, string Run);

/// <summary>
/// Choosing the run that serves: the run's one-file model is copied (atomically: a temporary file, then a rename) to
/// <c>serving/&lt;name&gt;.onnx</c> in the project's workspace, the file the server's model registry loads and hot-swaps,
/// and the choice is recorded in catalog.db (<c>studio_serving</c>), so "which run serves" and the way back to the
/// previous one are known after a restart too.
/// </summary>
public static class Promotion
{
    public static string ServingDir(StudioProject project) => Path.Combine(project.Workspace.Root, "serving");

    public static string PathOf(StudioProject project, string name) => Path.Combine(ServingDir(project), StudioNames.Check(name, "model") + ".onnx");

    public static Task<ServingRecord> PromoteAsync(StudioProject project, string run, string? name, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            name = StudioNames.Check(name ?? project.Name, "model");
            var store = new RunStore(project.Workspace.RunsDir);
            if (!Directory.Exists(Path.Combine(store.Root, run)) || run.Contains('/') || run.Contains('\\') || run.StartsWith('.'))
                throw new StudioException($"no run '{run}'", StudioProblem.NotFound);
            var folder = store.Open(run);
            if (!File.Exists(folder.ModelPath)) throw new StudioException($"run {run} has no model yet", StudioProblem.Conflict);
            var target = PathOf(project, name);
            Directory.CreateDirectory(ServingDir(project));
            var temp = Path.Combine(ServingDir(project), $".{name}.{Guid.NewGuid():N}.tmp");
            File.Copy(folder.ModelPath, temp);
            File.Move(temp, target, overwrite: true);
            using var catalog = project.OpenCatalog();
            catalog.Exec("INSERT INTO studio_serving(time,name,run) VALUES($t,$n,$r)", ("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("$n", name), ("$r", run));
            return History(project).First();
        }, ct);

    /// <summary>Newest first.</summary>
    public static IReadOnlyList<ServingRecord> History(StudioProject project)
    {
        using var catalog = project.OpenCatalog();
        using var cmd = catalog.Connection.Command("SELECT id, time, name, run FROM studio_serving ORDER BY id DESC LIMIT 100");
        using var r = cmd.ExecuteReader();
        var list = new List<ServingRecord>();
        while (r.Read()) list.Add(new ServingRecord(r.GetInt64(0), DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture), r.GetString(2), r.GetString(3)));
        return list;
    }

    /// <summary>The served model files of the project (one per name) with the run each holds now.</summary>
    public static IReadOnlyList<(ServingRecord Current, string Path)> Current(StudioProject project) =>
        History(project).GroupBy(h => h.Name).Select(g => (g.First(), PathOf(project, g.Key))).Where(x => File.Exists(x.Item2)).ToList();
}
