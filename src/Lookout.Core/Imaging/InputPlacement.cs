namespace Lookout.Core.Imaging;

/// <summary>
/// Where an image of a given displayed size lands inside a model's input for a <see cref="PreprocessSpec"/>: input
/// pixel = source pixel × scale + offset, per axis. So a box a detector finds in input pixels maps back to the
/// image's own pixels (<see cref="ToSource"/>) and a training box maps into the input (<see cref="ToInput"/>), whatever
/// the resize mode: stretch (no offset, two scales), letterbox (one aspect-keeping scale, centred with grey bars) or a
/// centre crop (negative offset). Planned by <see cref="ResizePlan"/>, the same plan the decoder runs.
/// </summary>
public readonly record struct InputPlacement(float ScaleX, float ScaleY, float OffsetX, float OffsetY)
{
    public static InputPlacement For(PreprocessSpec spec, int width, int height) => For(ImageTarget.For(spec), width, height);

    public static InputPlacement For(ImageTarget target, int width, int height) => ResizePlan.For(width, height, target).Placement(width, height);

    /// <summary>A box in model-input pixels -> the source image's pixels (not clipped).</summary>
    public BoxF ToSource(BoxF box) =>
        new((box.X1 - OffsetX) / ScaleX, (box.Y1 - OffsetY) / ScaleY, (box.X2 - OffsetX) / ScaleX, (box.Y2 - OffsetY) / ScaleY);

    /// <summary>A box in the source image's pixels -> model-input pixels.</summary>
    public BoxF ToInput(BoxF box) =>
        new(box.X1 * ScaleX + OffsetX, box.Y1 * ScaleY + OffsetY, box.X2 * ScaleX + OffsetX, box.Y2 * ScaleY + OffsetY);
}
