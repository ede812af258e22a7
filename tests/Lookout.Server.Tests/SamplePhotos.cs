using Lookout.Core.Models.Catalog;

namespace Lookout.Server.Tests;

/// <summary>
/// The six face-api 1.7.15 demo photos (npm, MIT; 1920 px group photos of 3-6 people) that scripts/fetch-samples.sh
/// (run by setup.sh) puts in the cache, found as Core's tests find them. Never committed.
/// </summary>
internal static class SamplePhotos
{
    public static byte[] Photo(int n)
    {
        var path = Path.Combine(LookoutCache.Root(), "samples", "face-api-1.7.15", $"sample{n}.jpg");
        if (!File.Exists(path)) throw new FileNotFoundException($"Sample photos are missing ({path}); run scripts/setup.sh (or scripts/fetch-samples.sh).", path);
        return File.ReadAllBytes(path);
    }

    /// <summary>The photo mirrored left-right and re-encoded: the same people in new pixels (new detections, new crops).</summary>
    public static byte[] Mirrored(int n)
    {
        using var image = NetVips.Image.NewFromBuffer(Photo(n));
        using var flipped = image.FlipHor();
        return flipped.JpegsaveBuffer(q: 90);
    }
}
