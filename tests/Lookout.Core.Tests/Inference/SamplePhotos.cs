using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Tests.Inference;

/// <summary>
/// The six face-api 1.7.15 demo photos (npm, MIT) that scripts/fetch-samples.sh (run by setup.sh) puts in the cache:
/// 1920 px group photos of 3-6 people with near-frontal faces. Never committed.
/// </summary>
internal static class SamplePhotos
{
    public static string Dir => Path.Combine(LookoutCache.Root(), "samples", "face-api-1.7.15");

    public static string Photo(int n)
    {
        var path = Path.Combine(Dir, $"sample{n}.jpg");
        if (!File.Exists(path)) throw new FileNotFoundException($"Sample photos are missing ({path}); run scripts/setup.sh (or scripts/fetch-samples.sh).", path);
        return path;
    }

    public static IReadOnlyList<string> All => Enumerable.Range(1, 6).Select(Photo).ToList();
}
