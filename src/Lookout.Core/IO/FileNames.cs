using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Lookout.Core.IO;

/// <summary>
/// File names as the OS stores them (bytes) versus as .NET sees them (strings). A Linux name need not be valid
/// UTF-8; .NET would turn such bytes into U+FFFD and then fail to open the file, so such names are shown escaped
/// (<c>\xFF</c> per undecodable byte) for reports and never used to open anything.
/// </summary>
public static class FileNames
{
    /// <summary>The name as a string when its bytes are valid UTF-8; otherwise null.</summary>
    public static string? TryDecode(ReadOnlySpan<byte> name) => Utf8.IsValid(name) ? Encoding.UTF8.GetString(name) : null;

    /// <summary>The name for display: valid UTF-8 runs as text, every undecodable byte as <c>\xHH</c>.</summary>
    public static string Escape(ReadOnlySpan<byte> name)
    {
        var sb = new StringBuilder(name.Length + 8);
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out int consumed);
            if (status == OperationStatus.Done) sb.Append(rune.ToString());
            else foreach (var b in name[..consumed]) sb.Append(@"\x").Append(b.ToString("X2", CultureInfo.InvariantCulture));
            name = name[consumed..];
        }
        return sb.ToString();
    }

    /// <summary>The text with control characters and line breaks written as <c>\uXXXX</c>, for one-line messages.</summary>
    public static string Printable(string text) =>
        text.Any(IsBreaking) ? string.Concat(text.Select(c => IsBreaking(c) ? $"\\u{(int)c:X4}" : c.ToString())) : text;

    /// <summary>A control character, or a Unicode line or paragraph separator: anything that would break a line or a table row.</summary>
    public static bool IsBreaking(char c) =>
        char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
