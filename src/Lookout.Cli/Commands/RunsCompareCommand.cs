using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core.Evaluation;
using Lookout.Core.Runs;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary><c>lookout runs compare &lt;a&gt; &lt;b&gt;</c>: inputs and test metrics of two runs side by side.</summary>
public static class RunsCompareCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("a") { Description = "First run (id or folder): the baseline." };
        var b = new Argument<string>("b") { Description = "Second run (id or folder)." };
        var command = new Command("compare", "Options, data hash, backbone, code version, test accuracy with 95% intervals and per-class F1 of two runs.") { a, b };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var c = RunComparer.Compare(Locations.Run(parse, parse.GetValue(a)!).Run, Locations.Run(parse, parse.GetValue(b)!).Run);
            if (output.Json) output.WriteJson(c);
            else Print(output, c);
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static void Print(CliOutput output, RunComparison c)
    {
        static string S(string? v) => Markup.Escape(v ?? "-");
        static string Same(bool same) => same ? "[green]same[/]" : "[yellow]different[/]";
        var t = new Table().AddColumns("", Markup.Escape(c.A.Id), Markup.Escape(c.B.Id), "");
        t.AddRow("data", S(Short(c.A.DatasetHash)), S(Short(c.B.DatasetHash)), Same(c.SameDataset));
        t.AddRow("backbone", S(c.A.Backbone), S(c.B.Backbone), Same(c.SameBackbone));
        t.AddRow("code", S(c.A.CodeVersion), S(c.B.CodeVersion), Same(c.SameCode));
        foreach (var o in c.Options) t.AddRow(Markup.Escape(o.Key), S(o.A), S(o.B), "[yellow]changed[/]");
        t.AddRow("epochs", $"{c.A.Epochs}", $"{c.B.Epochs}", "");
        t.AddRow("test accuracy", Acc(c.A), Acc(c.B),
            c.AccuracyDelta is { } d ? $"{(d >= 0 ? "+" : "")}{100 * d:0.0} pts{(c.IntervalsOverlap == true ? " [grey](intervals overlap: may be noise)[/]" : "")}" : "-");
        t.AddRow("macro F1", F(c.A.MacroF1), F(c.B.MacroF1), "");
        output.Render(t);
        if (c.PerClass.Count == 0) return;
        var pc = new Table().AddColumns("class", $"support {Markup.Escape(c.A.Id)}", $"F1 {Markup.Escape(c.A.Id)}", $"support {Markup.Escape(c.B.Id)}", $"F1 {Markup.Escape(c.B.Id)}", "delta");
        foreach (var x in c.PerClass.OrderBy(x => x.Delta ?? 0))
            pc.AddRow(Markup.Escape(x.Label), $"{x.SupportA}", F(x.F1A), $"{x.SupportB}", F(x.F1B), x.Delta is { } v ? $"{(v >= 0 ? "+" : "")}{v:0.000}" : "-");
        output.Render(pc);
    }

    private static string? Short(string? hash) => hash is { Length: > 12 } h ? h[..12] : hash;
    private static string F(double? v) => v is { } x ? $"{x:0.000}" : "-";
    private static string Acc(RunSide s) => s.TestAccuracy is { } a
        ? $"{ReportText.Pct(a)} ({s.TestCorrect}/{s.TestCount}) {Markup.Escape(ReportText.Ci(s.TestAccuracyCi!))}" : "-";
}
