using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Datasets;
using Lookout.Core.IO;
using Spectre.Console;
using Lookout.Core;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout data scan|stats|split &lt;dir&gt;</c>: the dataset verbs over the workspace catalog.</summary>
public static class DataCommands
{
    private static readonly Argument<string> DataDir = new("data-dir") { Description = "Folder with one sub-folder per label (optionally inside train/ val/ test/)." };

    internal static readonly Option<double> Fps = new("--fps") { Description = "Frames per second taken from videos.", DefaultValueFactory = _ => 1.0 };

    public static Command Create()
    {
        var data = new Command("data", "Scan, inspect and split a labelled folder of photos and videos.");
        data.Subcommands.Add(Scan());
        data.Subcommands.Add(Stats());
        data.Subcommands.Add(SplitCommand());
        data.Subcommands.Add(DataIssuesCommand.Create(DataDir));
        data.Subcommands.Add(DataPreviewCommand.Create(DataDir));
        data.Subcommands.Add(DataImportCommand.Create());
        return data;
    }

    private static Command Scan()
    {
        var command = new Command("scan", "Catalog every image and video frame (incremental; unreadable files are listed, not fatal).") { DataDir, Fps };
        CommandRunner.SetHandler(command, async (parse, output, ct) =>
        {
            var dir = parse.GetValue(DataDir)!;
            var service = new DatasetService(Locations.ForData(parse, dir));
            var result = await ScanAsync(service, dir, parse.GetValue(Fps), output, ct);
            if (output.Json) output.WriteJson(result);
            else PrintScan(output, result, service.Workspace);
            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Task<ScanResult> ScanAsync(DatasetService service, string dir, double fps, CliOutput output, CancellationToken ct) =>
        ProgressSink.RunAsync(output, sink => service.ScanAsync(dir, new ScanOptions { FramesPerSecond = fps },
            new Progress<ScanProgress>(p =>
            {
                sink.Report("files scanned", p.FilesScanned, p.FilesTotal, "files");
                if (p.FramesExtracted > 0) sink.Report("video frames extracted", p.FramesExtracted, p.FramesExtracted);
            }), ct));

    internal static void PrintScan(CliOutput output, ScanResult r, Workspace ws)
    {
        output.Line($"scanned in {r.Elapsed.TotalSeconds:0.0}s: [green]{r.Added} added[/], {r.Updated} updated, {r.Unchanged} unchanged, " +
                    $"{r.FramesExtracted} video frames, [yellow]{r.Unreadable} unreadable or skipped[/], {r.Missing} missing  (workspace {Markup.Escape(ws.Root)})");
        WarnProblems(output, r);
    }

    /// <summary>The files a scan could not use, with their reasons (on stderr, so JSON output stays clean).</summary>
    internal static void WarnProblems(CliOutput output, ScanResult r)
    {
        foreach (var p in r.Problems.Take(20)) output.Warn($"{FileNames.Printable(p.Path)}: {p.Reason}");
        if (r.Problems.Count > 20) output.Warn($"... and {r.Problems.Count - 20} more (see 'lookout data stats')");
    }

    private static Command Stats()
    {
        var command = new Command("stats", "Counts per label and split, imbalance, sources, resolutions, duplicates, unreadable files.") { DataDir };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var dir = parse.GetValue(DataDir)!;
            var service = new DatasetService(Locations.ForData(parse, dir));
            var stats = service.Stats();
            if (stats.UsableItems == 0 && stats.Unreadable.Count == 0)
                throw new Lookout.Core.LookoutException($"nothing cataloged for {dir}; run 'lookout data scan {dir}' first");
            if (output.Json) output.WriteJson(stats);
            else PrintStats(output, stats);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    internal static void PrintStats(CliOutput output, DatasetStats s)
    {
        var table = new Table().AddColumns("label", "train", "val", "test", "unassigned", "total");
        foreach (var l in s.Labels)
            table.AddRow(Markup.Escape(l.Label), $"{l.Train}", $"{l.Val}", $"{l.Test}", $"{l.Unassigned}", $"{l.Total}");
        table.AddRow("[bold]all[/]", $"{s.Labels.Sum(l => l.Train)}", $"{s.Labels.Sum(l => l.Val)}", $"{s.Labels.Sum(l => l.Test)}",
            $"{s.Labels.Sum(l => l.Unassigned)}", $"[bold]{s.UsableItems}[/]");
        output.Render(table);
        if (s.ImbalanceWarning is { } w) output.Warn(w);
        if (s.Resolution is { } r) output.Line($"resolution: min {r.Min}, median {r.Median}, max {r.Max}");
        if (s.Sources.Count > 0)
            output.Line($"videos: {s.Sources.Count} sources, {s.Sources.Sum(x => x.Frames)} frames (" +
                        string.Join(", ", s.Sources.Take(5).Select(x => $"{Markup.Escape(Path.GetFileName(x.Source))}: {x.Frames}")) +
                        (s.Sources.Count > 5 ? ", ..." : "") + ")");
        if (s.Duplicates.Count > 0)
        {
            output.Line($"duplicates: {s.Duplicates.Count} sets of identical files");
            foreach (var d in s.Duplicates.Where(d => d.ConflictingLabels).Take(10))
                output.Warn($"same image with different labels ({string.Join(", ", d.Labels)}): {string.Join(", ", d.Paths)}");
        }
        foreach (var u in s.Unreadable.Take(20)) output.Warn($"unreadable {FileNames.Printable(u.Path)}: {u.Reason}");
        if (s.Missing > 0) output.Warn($"{s.Missing} cataloged files are missing on disk");
        output.Line($"manifest {s.ManifestHash[..12]}");
    }

    private static Command SplitCommand()
    {
        var seed = new Option<int>("--seed") { Description = "Seed: the same seed and data give the same split.", DefaultValueFactory = _ => 42 };
        var val = new Option<double>("--val") { Description = "Fraction for validation.", DefaultValueFactory = _ => 0.15 };
        var test = new Option<double>("--test") { Description = "Fraction for test.", DefaultValueFactory = _ => 0.15 };
        var reassign = new Option<bool>("--reassign") { Description = "Re-split items split automatically before (folder and manual splits are kept)." };
        var command = new Command("split", "Assign train/val/test: seeded, stratified by label, grouped so one video's frames never straddle splits.")
            { DataDir, seed, val, test, reassign };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var dir = parse.GetValue(DataDir)!;
            var service = new DatasetService(Locations.ForData(parse, dir));
            var result = service.Split(SplitOptionsFrom(parse.GetValue(seed), parse.GetValue(val), parse.GetValue(test), parse.GetValue(reassign)));
            if (output.Json) output.WriteJson(result);
            else output.Line($"split: {result.Assigned} assigned now; train {result.Train}, val {result.Val}, test {result.Test} " +
                             $"({result.Groups} groups{(result.FolderSplits ? ", folder splits kept" : "")})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    internal static SplitOptions SplitOptionsFrom(int seed, double val, double test, bool reassign) =>
        new() { Seed = seed, Train = 1 - val - test, Val = val, Test = test, Reassign = reassign };
}
