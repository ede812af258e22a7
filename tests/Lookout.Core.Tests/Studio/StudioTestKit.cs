using Lookout.Core.Datasets;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;
using Lookout.Core.Tests.Datasets;
using NetVips;

namespace Lookout.Core.Tests.Studio;

/// <summary>A temp projects folder with one project ("home", generated backbone) and its upload path.</summary>
internal sealed class StudioTestKit : IDisposable
{
    public StudioTestKit(params string[] classes)
    {
        Root = Directory.CreateTempSubdirectory("lookout-studio-").FullName;
        Store = new ProjectStore(Root);
        Project = Store.Create("home", backbone: "generated");
        Scanner = new ScanCoalescer(Project);
        Uploads = new UploadStore(Project, Scanner, new UploadLimits());
        foreach (var c in classes) ProjectClasses.AddAsync(Project, c).GetAwaiter().GetResult();
    }

    public string Root { get; }
    public ProjectStore Store { get; }
    public StudioProject Project { get; }
    public ScanCoalescer Scanner { get; }
    public UploadStore Uploads { get; }

    public Task<UploadResult> UploadAsync(byte[] bytes, string? label, string name = "photo.png") =>
        Uploads.AddAsync(new MemoryStream(bytes), name, label);

    public static byte[] Png(int seed, int width = 64, int height = 48) => TestImages.Bytes(seed, ".png", width, height);

    public static byte[] Solid(int r, int g, int b, int width = 48, int height = 36)
    {
        using var black = Image.Black(width, height, bands: 3);
        using var coloured = black.Linear(new double[] { 1, 1, 1 }, new double[] { r, g, b });
        using var bytes = coloured.Cast(Enums.BandFormat.Uchar);
        return bytes.WriteToBuffer(".png");
    }

    /// <summary>Every catalog row's file exists where the catalog says, and every data file has a row.</summary>
    public void AssertConsistent()
    {
        var items = Project.Datasets.Items().Where(i => i.Kind is ItemKind.Image or ItemKind.Video && i.Status != ItemStatus.Missing).ToList();
        foreach (var i in items) Assert.True(File.Exists(Path.Combine(Project.DataDir, i.Path)), $"catalog row {i.Path} has no file");
        var files = Directory.EnumerateFiles(Project.DataDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Project.DataDir, f).Replace('\\', '/')).ToHashSet();
        foreach (var f in files) Assert.Contains(f, items.Select(i => i.Path));
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
