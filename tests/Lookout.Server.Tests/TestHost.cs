using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace Lookout.Server.Tests;

/// <summary>An in-process server (TestServer) over a temp models folder holding the colour classifier as "colours".</summary>
internal sealed class TestHost : IAsyncDisposable
{
    private TestHost(WebApplication app, string dir, string workspace, TestLoader loader)
    {
        App = app;
        ModelsDir = dir;
        Workspace = workspace;
        Loader = loader;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public string ModelsDir { get; }
    /// <summary>A fresh temp workspace per host: the face gallery (catalog.db) of one test never leaks into another.</summary>
    public string Workspace { get; }
    public TestLoader Loader { get; }

    public static async Task<TestHost> StartAsync(Func<ServerOptions, ServerOptions>? tweak = null, TestLoader? loader = null,
        Action<string>? seed = null, Action<WebApplicationBuilder>? configure = null)
    {
        var dir = Directory.CreateTempSubdirectory("lookout-serve-").FullName;
        if (seed is not null) seed(dir);
        else TestModels.Write(dir, "colours", TestModels.ColourClassifier(["red", "green", "blue"]));
        var workspace = Directory.CreateTempSubdirectory("lookout-ws-").FullName;
        var options = new ServerOptions { ModelsDirectory = dir, ReloadDebounce = TimeSpan.FromMilliseconds(100), Workspace = workspace };
        if (tweak is not null) options = tweak(options);
        loader ??= new TestLoader();
        var app = LookoutServer.BuildApp(options, loader, b => { b.WebHost.UseTestServer(); configure?.Invoke(b); });
        await app.StartAsync();
        return new TestHost(app, dir, workspace, loader);
    }

    public static MultipartFormDataContent Form(byte[] image, string field = "file", string fileName = "photo.png", params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, field, fileName);
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        return form;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try { Directory.Delete(ModelsDir, recursive: true); } catch (IOException) { }
        try { Directory.Delete(Workspace, recursive: true); } catch (IOException) { }
    }
}
