using System.Reflection;

// Benchmarks print ratios against a baseline measured in the same run (machines here are noisy).
// Usage: dotnet run -c Release --project bench/Lookout.Bench -- [name ...]   (no name: list them; "all": run all)
// Every class named *Bench with a public static Run() (or Run(string[] args)) is a benchmark.
var benches = typeof(Program).Assembly.GetTypes()
    .Where(t => t.Name.EndsWith("Bench", StringComparison.Ordinal) && t.GetMethod("Run", BindingFlags.Public | BindingFlags.Static) is not null)
    .OrderBy(t => t.Name)
    .ToDictionary(t => t.Name[..^"Bench".Length].ToLowerInvariant(), t => t.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!);

if (args.Length == 0)
{
    Console.WriteLine("benchmarks: " + string.Join(", ", benches.Keys) + "  (or 'all')");
    return 0;
}
var names = args[0] == "all" ? benches.Keys.ToList() : args.TakeWhile(a => !a.StartsWith('-')).ToList();
foreach (var name in names)
{
    if (!benches.TryGetValue(name.ToLowerInvariant(), out var run))
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; known: {string.Join(", ", benches.Keys)}");
        return 2;
    }
    Console.WriteLine($"== {name}");
    var rest = args.SkipWhile(a => !a.StartsWith('-')).ToArray();
    var result = run.GetParameters().Length == 1 ? run.Invoke(null, [rest]) : run.Invoke(null, null);
    if (result is Task task) await task;
}
return 0;

public partial class Program;
