using Lookout.Core.Models.ImageNet;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Models.Catalog;

/// <summary>A catalog entry and whether its converted ONNX is already in the cache.</summary>
public sealed record CatalogStatus(CatalogEntry Entry, bool Converted, string Path);

/// <summary>
/// Pretrained models: converts each model once into <c>&lt;cache&gt;/models/&lt;name&gt;-&lt;importer version&gt;.onnx</c>
/// (atomic write) and returns the path. Bump <see cref="ImporterVersion"/> (TF.js) or
/// <see cref="NuGetOnnxSource.Importer"/> (ONNX from NuGet) whenever that converter's output changes, so stale
/// conversions are redone. Thread-safe.
/// </summary>
/// <param name="cacheRoot">The cache folder (see <see cref="LookoutCache"/>): converted models go to its <c>models/</c>.</param>
/// <param name="sourceDirectory">Where the TF.js files are; defaults to the cache's human-models folder.</param>
public sealed class ModelCatalog(string cacheRoot, string? sourceDirectory = null)
{
    /// <summary>Part of every TF.js-converted file name; change it when the TF.js importer's output changes.</summary>
    public const string ImporterVersion = "2"; // 2: the batch axis survives Pad, Slice and broadcasting, so detectors take batches

    private static readonly object Gate = new();

    public string CacheRoot { get; } = Path.GetFullPath(cacheRoot);
    public string ModelsDirectory => Path.Combine(CacheRoot, "models");
    public string SourceDirectory { get; } = sourceDirectory ?? LookoutCache.HumanModels(Path.GetFullPath(cacheRoot));

    public static ModelCatalog Default() => new(LookoutCache.Root());

    public static IReadOnlyList<CatalogEntry> Entries => KnownModels.All;

    public static CatalogEntry Get(string name) =>
        KnownModels.All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new KeyNotFoundException($"Unknown model '{name}'. Known models: {string.Join(", ", KnownModels.All.Select(e => e.Name))}.");

    public string PathFor(string name)
    {
        var entry = Get(name);
        return Path.Combine(ModelsDirectory, $"{entry.Name}-{entry.Source.ImporterVersion}.onnx");
    }

    public IReadOnlyList<CatalogStatus> List() =>
        KnownModels.All.Select(e => new CatalogStatus(e, File.Exists(PathFor(e.Name)), PathFor(e.Name))).ToList();

    /// <summary>The converted model's path, converting it first if this importer version has not yet done so.</summary>
    public string GetPath(string name)
    {
        var path = PathFor(name);
        if (File.Exists(path)) return path;
        lock (Gate)
        {
            if (!File.Exists(path))
            {
                OnnxWriter.Save(Build(name), path);
                RemoveOtherVersions(name, path);
            }
        }
        return path;
    }

    /// <summary>Conversions by older importer versions are never used again; they only take space.</summary>
    private void RemoveOtherVersions(string name, string current)
    {
        foreach (var old in Directory.GetFiles(ModelsDirectory, $"{Get(name).Name}-*.onnx"))
        {
            var version = Path.GetFileNameWithoutExtension(old)[(Get(name).Name.Length + 1)..];
            if (old != current && !version.Contains('-')) // "centernet-1" must not delete "centernet-backbone-1"
                try { File.Delete(old); } catch (IOException) { /* in use by another process: leave it */ }
        }
    }

    /// <summary>Converts in memory (no cache): the source model plus Lookout's metadata.</summary>
    public OnnxModel Build(string name)
    {
        var entry = Get(name);
        var model = entry.Source switch
        {
            TfJsSource tf => TfJsConverter.Convert(TfJsLoader.Load(Required(Path.Combine(SourceDirectory, tf.File), "fetch-models.sh")), entry.ConversionOptions()),
            NuGetOnnxSource nu => MeanImageBackboneImporter.Build(
                OnnxReader.Load(Required(Path.Combine(nu.Folder(CacheRoot), nu.ModelFile), "fetch-nuget-models.sh")),
                MeanImagePreprocess.Read(OnnxReader.Load(Required(Path.Combine(nu.Folder(CacheRoot), nu.PreprocessFile), "fetch-nuget-models.sh")), nu.PreprocessFile),
                entry.Preprocess, entry.Name),
            _ => throw new NotSupportedException($"{entry.Name}: unknown model source {entry.Source.GetType().Name}."),
        };
        model.ProducerVersion = entry.Source.ImporterVersion;
        model.Metadata["lookout.backbone"] = entry.Name;
        model.Metadata["lookout.preprocess"] = entry.Preprocess.ToJson();
        model.Metadata["lookout.source"] = entry.SourceUrl;
        model.Metadata["lookout.licence"] = entry.Licence.Name;
        model.Metadata["lookout.importer"] = entry.Source.ImporterVersion;
        return model;
    }

    private static string Required(string path, string script) => File.Exists(path) ? path
        : throw new FileNotFoundException($"Pretrained model files are missing ({path}). Run scripts/setup.sh (or scripts/{script}) once to fetch them.", path);
}
