using Lookout.Core.IO;

namespace Lookout.Core.Datasets;

/// <summary>
/// Which strings may be class labels. A label travels into the exported model, JSON, CSV, Markdown, HTML and terminal
/// tables, and is compared with the word "unknown" by every client of a calibrated model, so a folder name is refused
/// (with the reason) when it is blank, has spaces at either end, holds a control character or line break (it would
/// break eval.md's table and every line-based output), holds a backslash (a path separator elsewhere), or is the
/// reserved word.
/// </summary>
public static class LabelNames
{
    /// <summary>The answer a calibrated model gives for "none of my classes" (the same word as <c>RejectionThresholds.UnknownLabel</c>).</summary>
    public const string Unknown = "unknown";

    /// <summary>Why <paramref name="label"/> cannot be a label, or null when it can.</summary>
    public static string? Problem(string label)
    {
        if (string.IsNullOrWhiteSpace(label)) return "the label is blank";
        if (label.Any(FileNames.IsBreaking)) return $"the label '{FileNames.Printable(label)}' holds a control character or line break";
        if (label.Trim() != label) return $"the label '{label}' starts or ends with a space";
        if (label.Contains('\\', StringComparison.Ordinal)) return $"the label '{label}' holds a backslash";
        if (string.Equals(label, Unknown, StringComparison.OrdinalIgnoreCase))
            return $"'{label}' is reserved: a calibrated model answers '{Unknown}' for images that are none of its classes; rename it (e.g. 'other')";
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the <see cref="Problem"/> when the label is not allowed.</summary>
    public static string Validate(string label) => Problem(label) is { } problem ? throw new ArgumentException(problem, nameof(label)) : label;
}
