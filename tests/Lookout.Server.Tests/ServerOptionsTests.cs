using Lookout.Core;

namespace Lookout.Server.Tests;

public class ServerOptionsTests
{
    [Fact]
    public void Defaults_BindLoopbackOnly_WithCorsClosed_AndNoKey()
    {
        var o = new ServerOptions();
        Assert.Equal("http://127.0.0.1:8080", o.Urls);
        Assert.Empty(o.CorsOrigins);
        Assert.Null(o.ApiKey);
        Assert.Equal(o.MaxUploadBytes, o.ImageLimits.MaxFileBytes);
    }

    [Fact]
    public void Validate_RejectsNonsense_WithUserFacingMessages()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-opts-").FullName;
        var ok = new ServerOptions { ModelsDirectory = dir };
        Assert.Null(ok.Validate());
        Assert.Contains("No models", Assert.Throws<LookoutException>(() => new ServerOptions().Validate()).Message);
        Assert.Contains("not found", Assert.Throws<LookoutException>(() => (ok with { ModelsDirectory = dir + "/missing" }).Validate()).Message);
        Assert.Contains("batch", Assert.Throws<LookoutException>(() => (ok with { MaxBatchSize = 0 }).Validate()).Message);
        Assert.Contains("Queue", Assert.Throws<LookoutException>(() => (ok with { QueueCapacity = 0 }).Validate()).Message);
        Assert.Contains("8 characters", Assert.Throws<LookoutException>(() => (ok with { ApiKey = "short" }).Validate()).Message);

        var keyFile = Path.Combine(dir, "key.txt");
        File.WriteAllText(keyFile, "  long-enough-key  \nsecond line ignored\n");
        Assert.Equal("long-enough-key", (ok with { ApiKeyFile = keyFile }).Validate());
        Assert.Contains("not both", Assert.Throws<LookoutException>(() => (ok with { ApiKeyFile = keyFile, ApiKey = "another-key" }).Validate()).Message);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task ExplicitModelFile_ThatIsNotAModel_StopsStartup_WithAClearMessage()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-opts-").FullName;
        var bad = Path.Combine(dir, "broken.onnx");
        File.WriteAllText(bad, "not a model");
        await using var app = LookoutServer.BuildApp(new ServerOptions { ModelFiles = [bad], Urls = "http://127.0.0.1:0" });
        var e = await Assert.ThrowsAsync<LookoutException>(() => app.StartAsync());
        Assert.Contains("broken.onnx", e.Message);
        Directory.Delete(dir, recursive: true);
    }
}
