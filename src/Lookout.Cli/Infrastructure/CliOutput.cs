using System.Text.Json;
using Lookout.Core.IO;
using Spectre.Console;

namespace Lookout.Cli.Infrastructure;

/// <summary>
/// Where a command's output goes. Data goes to stdout (JSON with --json, tables otherwise); progress, warnings
/// and errors go to stderr so that `lookout ... --json | jq` always sees clean JSON.
/// </summary>
public sealed class CliOutput
{
    public static JsonSerializerOptions JsonOptions => LookoutJson.Options;

    public CliOutput(bool json, bool quiet)
    {
        Json = json;
        Quiet = quiet;
        Out = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        Err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
    }

    public bool Json { get; }
    public bool Quiet { get; }
    /// <summary>Human-readable results (not used for data when <see cref="Json"/>).</summary>
    public IAnsiConsole Out { get; }
    /// <summary>Progress, notes, warnings, errors.</summary>
    public IAnsiConsole Err { get; }

    /// <summary>Shows progress only for humans at a terminal-ish stderr; CI logs and --quiet get plain lines.</summary>
    public bool ShowProgress => !Quiet && !Console.IsErrorRedirected;

    public void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public void Note(string message)
    {
        if (!Quiet) Err.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
    }

    public void Warn(string message) => Err.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");

    public void Error(string message) => Err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    /// <summary>Human result lines go to stdout unless JSON was asked for (then they go to stderr as notes).</summary>
    public void Line(string markup)
    {
        if (Json) { if (!Quiet) Err.MarkupLine(markup); }
        else Out.MarkupLine(markup);
    }

    public void Render(Spectre.Console.Rendering.IRenderable renderable)
    {
        if (Json) { if (!Quiet) Err.Write(renderable); }
        else Out.Write(renderable);
    }
}
