using System.CommandLine;

namespace Lookout.Cli.Commands;

/// <summary>Every top-level verb, registered in one place (one verb = one Core service).</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        DemoCommand.Create(),
        DataCommands.Create(),
        TrainCommand.Create(),
        EvalCommand.Create(),
        ReportCommand.Create(),
        ClassifyCommand.Create(),
        JobsCommands.Create(),
        WorkerCommand.Create(),
        ExplainCommand.Create(),
        ExportCommand.Create(),
        ServeCommand.Create(),
        DeployCommand.Create(),
        StudioCommand.Create(),
        VideoCommand.Create(),
        WatchCommand.Create(),
        EventsCommands.Create(),
        DetectCommand.Create(),
        ScoreCommand.Create(),
        FacesCommands.Create(),
        RunsCommands.Create(),
        ModelsCommands.Create(),
        VersionCommand.Create(),
    ];
}
