namespace Lookout.Core.IO;

/// <summary>CSV fields (RFC 4180) that are safe to open in a spreadsheet, for every CSV Lookout writes.</summary>
public static class CsvText
{
    /// <summary>
    /// Quotes a field when it holds a comma, quote or line break (quotes doubled). A field starting with =, +, -, @,
    /// tab or carriage return is prefixed with ' so a spreadsheet never runs a label or file name as a formula.
    /// </summary>
    public static string Field(string s)
    {
        if (s.Length > 0 && "=+-@\t\r".Contains(s[0])) s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }
}
