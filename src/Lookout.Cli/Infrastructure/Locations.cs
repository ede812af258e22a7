using System.CommandLine;
using Lookout.Core;
using Lookout.Core.Runs;

namespace Lookout.Cli.Infrastructure;

/// <summary>Finds the workspace, runs and models a command refers to, with errors that say what to type instead.</summary>
public static class Locations
{
    /// <summary>The workspace of a data folder: --workspace, else <c>.lookout</c> beside the data.</summary>
    public static Workspace ForData(ParseResult parse, string dataDir)
    {
        if (!Directory.Exists(dataDir)) throw new LookoutException($"data folder not found: {dataDir}");
        return parse.GetValue(GlobalOptions.Workspace) is { } ws ? new Workspace(ws) : Workspace.ForDataDir(dataDir);
    }

    /// <summary>An existing workspace: --workspace, else <c>./.lookout</c>.</summary>
    public static Workspace Existing(ParseResult parse)
    {
        var path = parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, Workspace.DefaultFolderName);
        if (!Directory.Exists(path))
            throw new LookoutException($"no workspace at {path}; run 'lookout train <data-dir>' first or pass --workspace");
        return new Workspace(path);
    }

    /// <summary>A run given as a folder path, or as an id in the workspace's runs/.</summary>
    public static (RunFolder Run, Workspace Workspace) Run(ParseResult parse, string runArg)
    {
        if (Directory.Exists(runArg) && File.Exists(Path.Combine(runArg, "manifest.json")))
        {
            var dir = Path.GetFullPath(runArg).TrimEnd(Path.DirectorySeparatorChar);
            var runsDir = Path.GetDirectoryName(dir)!;
            var ws = parse.GetValue(GlobalOptions.Workspace) is { } w ? new Workspace(w) : new Workspace(Path.GetDirectoryName(runsDir)!);
            return (new RunFolder(Path.GetFileName(dir), dir), ws);
        }
        var workspace = Existing(parse);
        var store = new RunStore(workspace.RunsDir);
        try { return (store.Open(runArg), workspace); }
        catch (DirectoryNotFoundException)
        {
            var known = store.List().Select(r => r.Id).ToList();
            throw new LookoutException($"no run '{runArg}' in {workspace.RunsDir}" +
                (known.Count > 0 ? $"; runs: {string.Join(", ", known)}" : "; no runs yet"));
        }
    }

    /// <summary>An exported model: an .onnx path, or a run (folder or id) whose model.onnx is used.</summary>
    public static string Model(ParseResult parse, string modelArg)
    {
        if (File.Exists(modelArg)) return Path.GetFullPath(modelArg);
        if (modelArg.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw new LookoutException($"model file not found: {modelArg}");
        var (run, _) = Run(parse, modelArg);
        if (!File.Exists(run.ModelPath)) throw new LookoutException($"run {run.Id} has no model.onnx (did training finish?)");
        return run.ModelPath;
    }
}
