namespace Lookout.Core.Imaging;

/// <summary>Why a file or buffer could not be used as an image; <see cref="Reason"/> is short and user-facing.</summary>
public sealed class ImageDecodeException(string source, ImageProblem problem, string reason, Exception? inner = null)
    : LookoutException($"{source}: {reason}", inner)
{
    public string SourceName { get; } = source;
    public ImageProblem Problem { get; } = problem;
    public string Reason { get; } = reason;
}

public enum ImageProblem { Missing, Empty, TooLarge, TooManyPixels, NotAnImage, Corrupt, Unreadable }
