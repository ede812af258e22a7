namespace Lookout.Core.Watch.Rules;

/// <summary>A rules file is invalid; <see cref="Problems"/> lists every problem found, each with its line.</summary>
public sealed class RulesConfigException(string source, IReadOnlyList<string> problems)
    : LookoutException($"{source}: invalid rules ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):\n  " + string.Join("\n  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
