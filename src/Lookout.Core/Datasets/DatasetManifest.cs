using System.Security.Cryptography;
using System.Text;

namespace Lookout.Core.Datasets;

/// <summary>
/// The dataset's fingerprint for reproducible runs: SHA-256 over the sorted (content hash, label, split) lines
/// of the usable items. Paths are left out on purpose: renaming or moving files does not change the data.
/// </summary>
public static class DatasetManifest
{
    public static string Hash(IEnumerable<LabeledImage> items)
    {
        var lines = items.Select(i => $"{i.Sha256}\t{i.Label}\t{i.Split.ToString().ToLowerInvariant()}\n")
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var line in lines) sha.AppendData(Encoding.UTF8.GetBytes(line));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
