using System.Globalization;

namespace Lookout.Core.Studio;

/// <summary>
/// Project and class names become folder names, so they are checked strictly before anything touches the disk:
/// no separators, no dot-only or hidden names, no control characters, not a reserved word of the folder layout
/// (train/val/test split folders, the studio's own <c>_</c> folders, the rejection answer "unknown").
/// </summary>
public static class StudioNames
{
    public const int MaxLength = 64;

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "train", "val", "valid", "validation", "test", "unknown", "none", "con", "prn", "aux", "nul",
    };

    /// <summary>The name, trimmed, when it is usable as a class or project name; else a <see cref="StudioException"/> saying why.</summary>
    public static string Check(string? name, string what = "class")
    {
        var n = (name ?? "").Trim();
        if (n.Length == 0) throw new StudioException($"the {what} name is empty");
        if (n.Length > MaxLength) throw new StudioException($"the {what} name is longer than {MaxLength} characters");
        if (n.Any(c => char.IsControl(c) || c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
            throw new StudioException($"the {what} name '{Printable(n)}' contains a character that cannot be in a folder name");
        if (n.StartsWith('.') || n.StartsWith('_')) throw new StudioException($"{what} names cannot start with '.' or '_' (those folders are Lookout's own)");
        if (Reserved.Contains(n)) throw new StudioException($"'{n}' is a reserved word; choose another {what} name");
        return n;
    }

    /// <summary>True when <paramref name="name"/> would pass <see cref="Check"/> unchanged.</summary>
    public static bool IsValid(string? name)
    {
        try { return Check(name) == name; }
        catch (StudioException) { return false; }
    }

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

/// <summary>A studio request that cannot be done, with a message safe to show the user (no paths).</summary>
public class StudioException(string message, StudioProblem problem = StudioProblem.Invalid) : Exception(message)
{
    public StudioProblem Problem { get; } = problem;
}

public enum StudioProblem { Invalid, NotFound, Conflict, TooLarge, Unsupported }
