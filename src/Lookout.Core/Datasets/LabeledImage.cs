namespace Lookout.Core.Datasets;

/// <summary>
/// Where an item is used. <see cref="Excluded"/>: left out of every split on purpose, the gap between the time blocks
/// of a video that had to be split within itself (so neighbouring frames never sit on both sides of a boundary).
/// </summary>
public enum Split { Unassigned, Train, Val, Test, Excluded }

/// <summary>
/// (contract) One usable, labelled image as training and evaluation see it. <see cref="Group"/> is the leakage
/// unit (a source video, or the content hash for a lone photo): a group never straddles splits.
/// </summary>
public sealed record LabeledImage(string Path, string Sha256, string Label, Split Split, string Group);
