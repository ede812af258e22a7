using Lookout.Core.Imaging;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;

namespace Lookout.Core.Tests.Models.TfJs;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("lookout-catalog-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private ModelCatalog Catalog() => new(_temp, LookoutCache.HumanModels(LookoutCache.Root()));

    [Fact]
    public void GetPath_ConvertsOnce_IntoVersionedFile_WithMetadata()
    {
        var catalog = Catalog();
        Assert.DoesNotContain(catalog.List(), s => s.Converted);
        Directory.CreateDirectory(catalog.ModelsDirectory);
        var stale = Path.Combine(catalog.ModelsDirectory, "blazeface-0.onnx");
        File.WriteAllText(stale, "old importer output");
        var path = catalog.GetPath("blazeface");
        Assert.False(File.Exists(stale));
        Assert.Equal(Path.Combine(_temp, "models", $"blazeface-{ModelCatalog.ImporterVersion}.onnx"), path);
        var written = File.GetLastWriteTimeUtc(path);
        Assert.Equal(path, catalog.GetPath("BlazeFace")); // second call reuses the file
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Single(Directory.GetFiles(Path.Combine(_temp, "models"))); // no temp files left behind

        var listed = catalog.List();
        Assert.True(listed.Single(s => s.Entry.Name == "blazeface").Converted);
        Assert.False(listed.Single(s => s.Entry.Name == "centernet").Converted);

        var meta = OnnxReader.ReadMetadata(path);
        Assert.Equal(KnownModels.Blazeface.Preprocess, PreprocessSpec.FromJson(meta["lookout.preprocess"]));
        Assert.Equal("Apache-2.0", meta["lookout.licence"]);
    }

    [Fact]
    public void Entries_AreConsistent_AndTheDefaultBackboneIsLicenceClean()
    {
        Assert.True(KnownModels.DefaultBackbone.Licence.Clean);
        Assert.Equal(ModelTask.Backbone, KnownModels.DefaultBackbone.Task);
        Assert.False(ModelCatalog.Get("centernet-backbone").Licence.Clean);
        Assert.Equal("tower_0/extern1/hard_swish/mul_1", ModelCatalog.Get("centernet-backbone").CutNode);
        foreach (var e in ModelCatalog.Entries)
        {
            Assert.Equal(e.Preprocess.Width, e.Preprocess.Height);
            if (e.Task == ModelTask.Backbone) Assert.Equal("embedding", Assert.Single(e.Source.OutputNames));
            Assert.NotEmpty(e.Licence.Text);
        }
        Assert.Equal(ModelCatalog.Entries.Count, ModelCatalog.Entries.Select(e => e.Name).Distinct().Count());
    }

    [Fact]
    public void UnknownNamesAndMissingSources_GiveActionableErrors()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => ModelCatalog.Get("resnet50"));
        Assert.Contains("nanodet-backbone", e.Message);
        var empty = new ModelCatalog(_temp, Path.Combine(_temp, "nothing-here"));
        var missing = Assert.Throws<FileNotFoundException>(() => empty.GetPath("faceres"));
        Assert.Contains("setup.sh", missing.Message);
    }
}
