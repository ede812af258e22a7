using Lookout.Core.Models.Catalog;

namespace Lookout.Core.Models.Backbones;

/// <summary>
/// Turns what a user types after <c>--backbone</c> into a <see cref="Backbone"/>: a pretrained catalog name
/// (converted once into the cache), <c>generated</c> (the small built-in feature extractor), or a path to any ONNX
/// file that follows the backbone contract.
/// </summary>
public static class BackboneResolver
{
    public const string Generated = "generated";

    public static string DefaultName => KnownModels.DefaultBackbone.Name;

    /// <summary>Names accepted besides file paths, for help text and errors.</summary>
    public static IReadOnlyList<string> Names =>
        [.. ModelCatalog.Entries.Where(e => e.Task == ModelTask.Backbone).Select(e => e.Name), Generated];

    public static Backbone Resolve(string? nameOrPath, ModelCatalog? catalog = null)
    {
        var name = string.IsNullOrWhiteSpace(nameOrPath) ? DefaultName : nameOrPath.Trim();
        catalog ??= ModelCatalog.Default();
        if (name.Equals(Generated, StringComparison.OrdinalIgnoreCase))
            return GeneratedBackbone.EnsureIn(catalog.ModelsDirectory);
        if (name.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) || File.Exists(name))
            return Backbone.FromOnnx(name);
        var entry = ModelCatalog.Entries.FirstOrDefault(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new LookoutException($"unknown backbone '{name}'; use one of {string.Join(", ", Names)} or a path to a backbone .onnx file");
        if (entry.Task != ModelTask.Backbone)
            throw new LookoutException($"'{entry.Name}' is a {entry.Task} model, not a backbone; use one of {string.Join(", ", Names)}");
        return Backbone.FromOnnx(catalog.GetPath(entry.Name), entry.Name, entry.Preprocess);
    }

    /// <summary>
    /// The backbone a run recorded (its manifest's id): a catalog name, a generated backbone's id
    /// (<c>generated-s&lt;seed&gt;-&lt;size&gt;</c>, rebuilt byte-identically if missing), or an ONNX path.
    /// </summary>
    public static Backbone ResolveRecorded(string id, ModelCatalog? catalog = null)
    {
        catalog ??= ModelCatalog.Default();
        var m = System.Text.RegularExpressions.Regex.Match(id, @"^generated-s(-?\d+)-(\d+)$");
        if (m.Success)
            return GeneratedBackbone.EnsureIn(catalog.ModelsDirectory, int.Parse(m.Groups[2].Value), int.Parse(m.Groups[1].Value));
        return Resolve(id, catalog);
    }
}
