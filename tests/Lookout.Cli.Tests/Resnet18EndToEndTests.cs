using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Lookout.Core.Datasets.Synthetic;

namespace Lookout.Cli.Tests;

/// <summary>
/// The NuGet ImageNet ResNet-18 goes every way the TF.js-imported backbones go, through the real CLI: fine-tuned
/// (probe, then its last conv block with the head), exported as one file with the tuned backbone, classified,
/// explained with Grad-CAM, and served, with the server's scores equal to classify's.
/// </summary>
public sealed class Resnet18EndToEndTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-resnet18-").FullName;

    [Fact]
    public async Task FineTuned_Exported_Classified_Explained_AndServed()
    {
        var data = Path.Combine(_root, "shapes");
        ShapesDatasetGenerator.Generate(data, new ShapesOptions { PerClass = 8, Seed = 3, Classes = ["circle", "square", "stripes"] });
        var train = await CliRunner.RunAsync(_root, ["train", data, "--backbone", "resnet18", "--fine-tune", "--ft-epochs", "1", "--ft-blocks", "1",
            "--epochs", "10", "--workspace", Path.Combine(_root, "ws"), "--json", "--quiet"], TimeSpan.FromMinutes(10));
        Assert.True(train.ExitCode == 0, train.StdErr);
        var result = JsonDocument.Parse(train.StdOut).RootElement;
        var runDir = result.GetProperty("runDir").GetString()!;
        var model = result.GetProperty("model").GetString()!;
        Assert.True(File.Exists(Path.Combine(runDir, "backbone.onnx")), "the fine-tuned backbone is the run's own");
        Assert.True(File.Exists(Path.Combine(runDir, "checkpoints", "finetune.ckpt")));
        Assert.Equal(["circle", "square", "stripes"], result.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.True(result.GetProperty("test").GetProperty("count").GetInt32() > 0);

        var image = Path.Combine(data, "stripes", "stripes-0001.png");
        var classify = await CliRunner.RunAsync(_root, ["classify", model, image, "--json"]);
        Assert.True(classify.ExitCode == 0, classify.StdErr);
        var top = JsonDocument.Parse(classify.StdOut).RootElement[0].GetProperty("predictions")[0];

        var overlay = Path.Combine(_root, "explain.png");
        var explain = await CliRunner.RunAsync(_root, ["explain", model, image, "--out", overlay, "--json"]);
        Assert.True(explain.ExitCode == 0, explain.StdErr);
        Assert.True(new FileInfo(overlay).Length > 0);

        int port = VideoWatchServeTests.FreePort();
        using var server = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "lookout.dll"), "serve", "--model", model,
            "--urls", $"http://127.0.0.1:{port}", "--workspace", Path.Combine(_root, "serve-ws")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await VideoWatchServeTests.WaitHealthyAsync(http);
            using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(image)), "file", "stripes.png" } };
            var response = await http.PostAsync("/v1/classify", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var served = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
            Assert.Equal(top.GetProperty("class").GetString(), served.GetProperty("class").GetString());
            Assert.Equal(top.GetProperty("score").GetSingle(), served.GetProperty("score").GetSingle());
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
