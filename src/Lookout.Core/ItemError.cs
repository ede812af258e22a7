namespace Lookout.Core;

/// <summary>An item (image, frame) that could not be used, with the user-facing reason: the rest of the batch carries on.</summary>
public sealed record ItemError(string Path, string Reason);
