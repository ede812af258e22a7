using System.Globalization;
using System.Text;
using Lookout.Core.IO;

namespace Lookout.Core.Evaluation.Issues;

/// <summary>
/// One CSV for every kind of issue (RFC 4180 quoting), so a spreadsheet can sort and filter it:
/// <c>kind,rank,path,label,split,suggested,score,other_path,other_split,other_label</c>.
/// </summary>
public static class DataIssuesCsv
{
    public const string Header = "kind,rank,path,label,split,suggested,score,other_path,other_split,other_label";

    public static string Render(DataIssuesReport r)
    {
        var sb = new StringBuilder().AppendLine(Header);
        int rank = 0;
        foreach (var s in r.SuspectLabels) Row(sb, "suspect_label", ++rank, s.Path, s.Label, s.Split, s.Suggested, s.Margin, "", "", "");
        rank = 0;
        foreach (var d in r.NearDuplicates) Row(sb, d.Identical ? "duplicate_across_splits" : "near_duplicate_across_splits", ++rank,
            d.PathA, d.LabelA, d.SplitA, "", d.Similarity, d.PathB, d.SplitB, d.LabelB);
        rank = 0;
        foreach (var o in r.Outliers) Row(sb, "outlier", ++rank, o.Path, o.Label, o.Split, "", o.RobustZ, "", "", "");
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, string kind, int rank, string path, string label, string split, string suggested, float score,
        string otherPath, string otherSplit, string otherLabel) =>
        sb.AppendLine(string.Join(',', kind, rank.ToString(CultureInfo.InvariantCulture), Q(path), Q(label), split, Q(suggested),
            score.ToString("0.####", CultureInfo.InvariantCulture), Q(otherPath), otherSplit, Q(otherLabel)));

    /// <summary>One field, quoted and formula-guarded by <see cref="CsvText.Field"/>.</summary>
    public static string Q(string s) => CsvText.Field(s);
}
