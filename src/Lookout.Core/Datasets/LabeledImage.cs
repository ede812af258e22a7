namespace Lookout.Core.Datasets;

public enum Split { Unassigned, Train, Val, Test }

/// <summary>
/// (contract) One usable, labelled image as training and evaluation see it. <see cref="Group"/> is the leakage
/// unit (a source video, or the content hash for a lone photo): a group never straddles splits.
/// </summary>
public sealed record LabeledImage(string Path, string Sha256, string Label, Split Split, string Group);
