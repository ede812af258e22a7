using Lookout.Core.Imaging;

namespace Lookout.Core.Studio.Media;

/// <summary>
/// The opt-in "too blurry to tell" answer of <c>classify</c> and <c>/v1/classify</c>: an image whose sharpness (variance of
/// the Laplacian on the 256-px thumbnail, as the studio grid shows) is under the caller's threshold is answered with
/// <see cref="Label"/> first, so a motion-blurred phone frame is not tagged with confidence.
/// </summary>
public static class BlurCheck
{
    public const string Label = "too blurry to tell";

    public static double SharpnessOf(byte[] image, ImageLimits? limits = null) => Thumbnailer.Measure(image, limits).Sharpness;

    public static double SharpnessOf(string path, ImageLimits? limits = null) => Thumbnailer.Make(path, limits).Facts.Sharpness;
}
