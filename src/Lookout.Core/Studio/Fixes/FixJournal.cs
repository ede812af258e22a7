using System.Globalization;
using System.Text.Json;
using Lookout.Core.IO;

namespace Lookout.Core.Studio.Fixes;

/// <summary>
/// The fixes made from the results views, each applied through the studio's own label, exclude and delete operations
/// and recorded in catalog.db (<c>studio_fixes</c>) with every item's state before, so any fix can be undone later,
/// also after a restart. The next training reads the data folder, so it uses the fixes; <see cref="Since"/> lists what
/// changed after a run for the comparison view.
/// </summary>
public static class FixJournal
{
    public const string SuspectReason = "suspect";
    public const string DeletedReason = "deleted";

    public static async Task<Fix> ApplyAsync(StudioProject project, FixAction action, IReadOnlyCollection<long> ids, string? label, string? run,
        ScanRequest rescan, CancellationToken ct = default)
    {
        var shas = ItemQuery.ByIds(project, ids).ToDictionary(i => i.Id, i => i.Sha256);
        IReadOnlyList<FixChange> changes = action switch
        {
            FixAction.Relabel => Of(await ItemLabels.AssignAsync(project, ids, label ?? throw new StudioException("relabel needs a class"), ct), shas),
            FixAction.None => Of(await ItemLabels.AssignAsync(project, ids, BackgroundClass.Label, ct), shas),
            FixAction.Suspect => Of(await ItemLabels.ExcludeAsync(project, ids, true, SuspectReason, ct), shas),
            FixAction.Delete => await DeleteAsync(project, ids, shas, ct),
            _ => throw new StudioException("unknown fix"),
        };
        if (action == FixAction.Delete) await rescan(ct);
        return Record(project, action, action == FixAction.None ? BackgroundClass.Label : action == FixAction.Relabel ? label : null, changes, run);
    }

    /// <summary>Puts every item of a fix back as it was before it; a fix is undone once.</summary>
    public static async Task<Fix> UndoAsync(StudioProject project, long id, ScanRequest rescan, CancellationToken ct = default)
    {
        var fix = Get(project, id) ?? throw new StudioException($"no fix {id}", StudioProblem.NotFound);
        if (fix.Undone) throw new StudioException("this fix was already undone", StudioProblem.Conflict);
        if (fix.Action == FixAction.Delete)
        {
            await ItemDeletion.RestoreAsync(project, fix.Changes.Where(c => c.Trash is not null).ToList(), ct);
            await rescan(ct);
            var frames = fix.Changes.Where(c => c.Trash is null).Select(c => c.Id).ToList();
            if (frames.Count > 0) await ItemLabels.ExcludeAsync(project, frames, false, ct: ct);
        }
        else
        {
            foreach (var g in fix.Changes.Where(c => !c.WasExcluded).GroupBy(c => c.Before))
                await ItemLabels.AssignAsync(project, g.Select(c => c.Id).ToList(), g.Key, ct);
            var wereExcluded = fix.Changes.Where(c => c.WasExcluded).Select(c => c.Id).ToList();
            if (fix.Action == FixAction.Suspect)
                await ItemLabels.ExcludeAsync(project, fix.Changes.Where(c => !c.WasExcluded).Select(c => c.Id).ToList(), false, ct: ct);
            else if (wereExcluded.Count > 0)
                await ItemLabels.ExcludeAsync(project, wereExcluded, true, ct: ct);
        }
        using var catalog = project.OpenCatalog();
        catalog.Exec("UPDATE studio_fixes SET undone=1 WHERE id=$i", ("$i", id));
        return Get(project, id)!;
    }

    /// <summary>Newest first.</summary>
    public static IReadOnlyList<Fix> List(StudioProject project, int limit = 200) => Query(project, "ORDER BY id DESC LIMIT $l", ("$l", limit));

    public static Fix? Get(StudioProject project, long id) => Query(project, "WHERE id=$i", ("$i", id)).FirstOrDefault();

    /// <summary>The fixes (not undone) made after <paramref name="time"/>, oldest first.</summary>
    public static IReadOnlyList<Fix> Since(StudioProject project, DateTimeOffset time) =>
        Query(project, "WHERE undone=0 AND time>$t ORDER BY id", ("$t", time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));

    public delegate Task ScanRequest(CancellationToken ct);

    private static async Task<IReadOnlyList<FixChange>> DeleteAsync(StudioProject project, IReadOnlyCollection<long> ids, Dictionary<long, string> shas, CancellationToken ct)
    {
        var deleted = await ItemDeletion.DeleteAsync(project, ids, ct);
        var frames = ids.Except(deleted.Select(d => d.Id)).ToList();
        var excluded = frames.Count > 0 ? Of(await ItemLabels.ExcludeAsync(project, frames, true, DeletedReason, ct), shas) : [];
        return [.. deleted, .. excluded];
    }

    private static IReadOnlyList<FixChange> Of(IReadOnlyList<LabelChange> changes, Dictionary<long, string> shas) =>
        changes.Select(c => new FixChange(c.Id, shas.GetValueOrDefault(c.Id, ""), c.Before, c.WasExcluded)).ToList();

    private static Fix Record(StudioProject project, FixAction action, string? label, IReadOnlyList<FixChange> changes, string? run)
    {
        using var catalog = project.OpenCatalog();
        using var cmd = catalog.Connection.Command("INSERT INTO studio_fixes(time,action,label,changes,run) VALUES($t,$a,$l,$c,$r) RETURNING id",
            ("$t", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)), ("$a", action.ToString()), ("$l", label),
            ("$c", JsonSerializer.Serialize(changes, LookoutJson.Options)), ("$r", run));
        return Get(project, (long)cmd.ExecuteScalar()!)!;
    }

    private static IReadOnlyList<Fix> Query(StudioProject project, string where, params (string, object?)[] args)
    {
        using var catalog = project.OpenCatalog();
        using var cmd = catalog.Connection.Command($"SELECT id, time, action, label, changes, undone, run FROM studio_fixes {where}", args);
        using var r = cmd.ExecuteReader();
        var list = new List<Fix>();
        while (r.Read())
            list.Add(new Fix(r.GetInt64(0), DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture), Enum.Parse<FixAction>(r.GetString(2)),
                r.IsDBNull(3) ? null : r.GetString(3), JsonSerializer.Deserialize<List<FixChange>>(r.GetString(4), LookoutJson.Options) ?? [],
                r.GetInt64(5) == 1, r.IsDBNull(6) ? null : r.GetString(6)));
        return list;
    }
}
