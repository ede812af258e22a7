using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>One labelled box in image pixels (x1,y1 top-left, x2,y2 bottom-right of the EXIF-oriented image).</summary>
public sealed record LabeledBox(string Label, BoxF Box);

/// <summary>
/// One image of a box dataset: its file, display size, boxes (none = a background image, which teaches the detector
/// what is not an object) and the leakage group its split follows (frames of one video share one).
/// </summary>
public sealed record BoxedImage(string Path, int Width, int Height, IReadOnlyList<LabeledBox> Boxes, string Group);

/// <summary>A problem with one annotation file or one annotation in it; the rest of the dataset is kept.</summary>
public sealed record BoxImportError(string File, string Reason);

/// <summary>The formats <see cref="BoxDatasetImporter"/> reads.</summary>
public enum BoxFormat { Yolo, Coco, Voc }

/// <summary>
/// A detection dataset in one model whatever format it came from: the class list (in the format's own order), the
/// images with their boxes, and every annotation that could not be used with the reason.
/// </summary>
public sealed record BoxDataset(BoxFormat Format, IReadOnlyList<string> Classes, IReadOnlyList<BoxedImage> Images, IReadOnlyList<BoxImportError> Errors)
{
    public int BoxCount => Images.Sum(i => i.Boxes.Count);
    public int BackgroundImages => Images.Count(i => i.Boxes.Count == 0);

    /// <summary>Boxes per class, in <see cref="Classes"/> order.</summary>
    public IReadOnlyList<(string Label, int Boxes)> BoxesPerClass() =>
        Classes.Select(c => (c, Images.Sum(i => i.Boxes.Count(b => b.Label == c)))).ToList();
}
