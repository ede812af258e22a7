using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Tests.Shared;

namespace Lookout.Cli.Tests;

/// <summary><c>lookout train</c> whose workspace disk fills up, as a user's would: a clear error, then it trains once there is room.</summary>
public class FullDiskTests
{
    [SmallDiskFact]
    public async Task Train_IntoAFullDisk_SaysSoAndNamesTheFile_ThenTrainsOnceThereIsRoom()
    {
        var root = Directory.CreateTempSubdirectory("lookout-cli-diskfull").FullName;
        try
        {
            var data = Path.Combine(root, "shapes");
            ShapesDatasetGenerator.Generate(data, new ShapesOptions { PerClass = 20, Seed = 3 });
            var before = Directory.GetFiles(data, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
            using var disk = new SmallDisk(8L * 1024 * 1024);       // room for the catalog and embeddings, not for the ~13 MB model
            var workspace = Path.Combine(disk.Path, "ws");

            var full = await CliRunner.RunAsync(root, ["train", data, "-w", workspace, "--quiet"]);

            Assert.Equal(1, full.ExitCode);
            Assert.Contains("no space left on the disk: could not write", full.StdErr);
            Assert.Matches(@"free on that\s+disk\)", full.StdErr);
            Assert.DoesNotContain("Exception", full.StdErr);
            Assert.DoesNotContain(".tmp", full.StdErr);
            Assert.Empty(Directory.GetFiles(workspace, "*.tmp*", SearchOption.AllDirectories));
            Assert.Equal(before.Keys.Order(), Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order());
            Assert.All(before, f => Assert.Equal(f.Value, File.ReadAllBytes(f.Key)));   // the user's pictures are untouched

            var runs = await CliRunner.RunAsync(root, ["runs", "list", "-w", workspace, "--json"]);
            var failedRun = Assert.Single(JsonDocument.Parse(runs.StdOut).RootElement.EnumerateArray());
            Assert.Equal("failed", failedRun.GetProperty("state").GetString());
            Assert.StartsWith("no space left on the disk", failedRun.GetProperty("failure").GetString());

            disk.Resize(64L * 1024 * 1024);                          // the user freed some space
            var again = await CliRunner.RunAsync(root, ["train", data, "-w", workspace, "--quiet", "--json"]);

            Assert.True(again.ExitCode == 0, again.StdErr);
            var model = JsonDocument.Parse(again.StdOut).RootElement.GetProperty("model").GetString()!;
            Assert.True(new FileInfo(model).Length > 1024 * 1024, model);
            var classify = await CliRunner.RunAsync(root, ["classify", model, Path.Combine(data, "circle"), "--json"]);
            Assert.True(classify.ExitCode == 0, classify.StdErr);
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
