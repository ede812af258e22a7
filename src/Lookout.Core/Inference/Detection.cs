using Lookout.Core.Imaging;

namespace Lookout.Core.Inference;

/// <summary>(contract) One detected object: label, score in [0,1], box in original-image pixels.</summary>
public sealed record Detection(string Label, float Score, BoxF Box)
{
    /// <summary>Index of <see cref="Label"/> in the model's label list (COCO-80: 0 person, 15 cat, 16 dog...).</summary>
    public int ClassId { get; init; }
}

/// <summary>
/// The detections for one input image, sorted by score (highest first), with the original image size the boxes
/// refer to, or the reason the image could not be used.
/// </summary>
public sealed record DetectionResult(string Source, int Width, int Height, IReadOnlyList<Detection> Detections, string? Error = null)
{
    public bool Ok => Error is null;
}

/// <summary>A decoded candidate before NMS and labelling: class index, score, box in model-input pixels.</summary>
public readonly record struct RawDetection(int ClassId, float Score, BoxF Box);
