
namespace Lookout.Core.Imaging.Augmentation;

/// <summary>
/// A random image transform for training. Pure: the output depends only on the image and the draws from
/// <paramref name="random"/>, so a seeded Random per (seed, epoch, sample) makes augmentation reproducible.
/// Implementations return a new image and never modify the input.
/// </summary>
public interface IAugmentation
{
    RgbImage Apply(RgbImage image, Random random);
}

/// <summary>Applies augmentations in order.</summary>
public sealed class AugmentationPipeline(params IAugmentation[] steps) : IAugmentation
{
    public IReadOnlyList<IAugmentation> Steps { get; } = steps;

    public RgbImage Apply(RgbImage image, Random random)
    {
        foreach (var s in Steps) image = s.Apply(image, random);
        return image;
    }

    /// <summary>The usual fine-tuning recipe at the model's input size: crop, flip, small tilt, colour, light blur.</summary>
    public static AugmentationPipeline Standard(int width, int height) => new(
        new RandomResizedCrop(width, height),
        new HorizontalFlip(),
        new SmallRotation(),
        new ColorJitter(),
        new RandomBlur());
}
