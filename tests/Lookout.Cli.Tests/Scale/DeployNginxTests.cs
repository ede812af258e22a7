using System.Text.RegularExpressions;
using Lookout.Server.Deployment;

namespace Lookout.Cli.Tests.Scale;

/// <summary><c>lookout deploy nginx</c>: real nginx accepts the config (<c>nginx -t</c>), and only side-effect-free POSTs are re-sent.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeployNginxTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lookout-deploy-").FullName;

    [Fact]
    public async Task Config_passes_nginx_t_and_retries_only_pure_inference_posts()
    {
        Assert.True(NginxServer.Installed, "nginx is installed by scripts/setup.sh --tests");
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        var models = Directory.CreateDirectory(Path.Combine(_root, "my models")).FullName;
        var r = await CliRunner.RunAsync(_root, ["deploy", "nginx", "--replicas", "4", "--base-port", "5200", "--listen", "127.0.0.1:18080", "--models", models]);
        Assert.True(r.ExitCode == 0, r.StdErr);
        var conf = r.StdOut;
        for (int p = 5200; p < 5204; p++) Assert.Contains($"server 127.0.0.1:{p} max_fails=", conf);
        Assert.Contains($"--models '{models}' --urls http://127.0.0.1:5203 --drain 5s", r.StdErr);
        Assert.Single(Regex.Matches(conf, "non_idempotent;"));

        var prefix = Directory.CreateDirectory(Path.Combine(_root, "nginx")).FullName;
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), conf);
        LoopbackServers.Run(NginxServer.Binary, ["-t", "-p", prefix + "/", "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log")]);

        var retryable = new Regex(NginxReplicasConfig.RetryablePostRoutes);
        foreach (var route in new[] { "/v1/classify", "/v1/detect", "/v1/vision/detection", "/v1/vision/custom/colours", "/v1/vision/face/recognize" })
            Assert.Matches(retryable, route);
        foreach (var route in new[] { "/v1/vision/face/register", "/v1/vision/face/delete", "/v1/models/colours/reload", "/v1/classifyx", "/v1/studio/projects" })
            Assert.DoesNotMatch(retryable, route);
    }

    [Fact]
    public async Task Bad_input_is_a_clear_error()
    {
        var r = await CliRunner.RunAsync(_root, ["deploy", "nginx", "--replicas", "0", "--models", _root]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Replicas must be between 1 and 64", r.StdErr);
        r = await CliRunner.RunAsync(_root, ["deploy", "nginx", "--models", Path.Combine(_root, "missing")]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Models directory not found", r.StdErr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
