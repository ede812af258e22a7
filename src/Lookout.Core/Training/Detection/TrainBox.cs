using Lookout.Core.Imaging;

namespace Lookout.Core.Training.Detection;

/// <summary>A training box: class index and box in the pixels of the image it belongs to.</summary>
public readonly record struct TrainBox(int ClassId, BoxF Box);

/// <summary>A decoded training image with its boxes (none = a background image).</summary>
public sealed record BoxSample(RgbImage Image, IReadOnlyList<TrainBox> Boxes);
