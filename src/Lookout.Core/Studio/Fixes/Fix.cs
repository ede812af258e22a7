using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lookout.Core.Studio.Fixes;

/// <summary>The one-click fixes of the results views: give a class, "none of these", delete, or "suspect, ignore" (excluded from training).</summary>
[JsonConverter(typeof(FixActionJson))]
public enum FixAction { Relabel, None, Delete, Suspect }

/// <summary>Fix actions travel as the words the API takes: relabel, none, delete, suspect.</summary>
public sealed class FixActionJson() : JsonStringEnumConverter<FixAction>(JsonNamingPolicy.CamelCase);

/// <summary>One item's state before a fix: its label, whether it was excluded, and for a deleted photo where it was and where it went.</summary>
public sealed record FixChange(long Id, string Sha, string? Before, bool WasExcluded, string? Path = null, string? Trash = null);

/// <summary>A recorded fix: what was done to which items, and whether it was undone.</summary>
public sealed record Fix(long Id, DateTimeOffset Time, FixAction Action, string? Label, IReadOnlyList<FixChange> Changes, bool Undone, string? Run);
