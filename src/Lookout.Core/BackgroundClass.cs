namespace Lookout.Core;

/// <summary>
/// "None of these": pictures of what the camera sees when none of the classes is there, kept in the data folder's
/// <c>_none/</c> label folder. The trainer needs nothing special: <c>_none</c> is a label like any other, so the head
/// learns what background looks like and the other classes stop claiming it (it counts in the confusion matrix and the
/// per-class metrics too). Inference treats it as the answer "unknown": when <c>_none</c> is the top class, the
/// result is rejected with the reason "none of these", with or without calibrated thresholds, so clients of
/// <c>/v1/classify</c>, watch rules and walk-throughs see "unknown" exactly as for a picture the thresholds refuse.
/// </summary>
public static class BackgroundClass
{
    public const string Label = "_none";
    public const string DisplayName = "none of these";

    public static bool Is(string? label) => string.Equals(label, Label, StringComparison.Ordinal);
}
