using System.Security.Cryptography;
using System.Text;
using Lookout.Core.Datasets;

namespace Lookout.Core.Runs;

/// <summary>The content hashes of one split, in sorted order, and their combined hash.</summary>
public sealed record SplitManifest(int Count, string Hash, IReadOnlyList<string> Items);

/// <summary>
/// (contract) What a run was trained on and with: dataset hash over sorted (sha, label, split), item hashes per
/// split, code version, backbone, seed, labels. Two runs with equal manifests and options saw the same inputs.
/// </summary>
public sealed record RunManifest(
    string RunId,
    DateTimeOffset Created,
    string DatasetHash,
    IReadOnlyDictionary<string, SplitManifest> Splits,
    IReadOnlyList<string> Labels,
    string CodeVersion,
    string Backbone,
    string BackboneHash,
    int Seed)
{
    public static RunManifest Create(string runId, IReadOnlyList<LabeledImage> items, IReadOnlyList<string> labels,
        string backboneId, string backboneHash, int seed, DateTimeOffset? created = null) =>
        new(runId, created ?? DateTimeOffset.UtcNow, HashDataset(items), HashSplits(items), labels.ToArray(),
            Lookout.Core.CodeVersion.Current, backboneId, backboneHash, seed);

    /// <summary>SHA-256 over the sorted lines <c>sha\tlabel\tsplit</c>: independent of paths and item order.</summary>
    public static string HashDataset(IEnumerable<LabeledImage> items) =>
        Hash(items.Select(i => $"{i.Sha256}\t{i.Label}\t{i.Split}"));

    public static IReadOnlyDictionary<string, SplitManifest> HashSplits(IReadOnlyList<LabeledImage> items) =>
        items.GroupBy(i => i.Split).OrderBy(g => g.Key).ToDictionary(
            g => g.Key.ToString().ToLowerInvariant(),
            g =>
            {
                var shas = g.Select(i => i.Sha256).Order(StringComparer.Ordinal).ToList();
                return new SplitManifest(shas.Count, Hash(g.Select(i => $"{i.Sha256}\t{i.Label}")), shas);
            });

    private static string Hash(IEnumerable<string> lines)
    {
        var text = string.Join('\n', lines.Order(StringComparer.Ordinal));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
    }
}
