using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lookout.Bench;

/// <summary>
/// The linux-arm64 bundle: its size, and `serve` idle memory, peak memory and ms/frame for /v1/classify, x86-64 native
/// vs the arm64 bundle under QEMU user-mode emulation on this machine. Emulated figures are labelled as such: they are
/// this x86-64 CPU translating arm64 code, NOT what a Raspberry Pi does (qemu's RSS includes its translation cache).
/// Usage: arm64 [--bundle DIR] [--frames N]  (no --bundle: scripts/bundle-arm64.sh makes one in a temp folder)
/// </summary>
public static class Arm64Bench
{
    private const string Qemu = "/usr/bin/qemu-aarch64-static";

    public static async Task Run(string[] args)
    {
        string? bundle = Arg(args, "--bundle");
        int frames = int.Parse(Arg(args, "--frames") ?? "20");
        if (!File.Exists(Qemu)) { Console.WriteLine("qemu-user-static missing: run scripts/setup.sh --arm64"); return; }
        var work = Directory.CreateTempSubdirectory("lookout-arm64-bench-").FullName;
        try
        {
            if (bundle is null)
            {
                bundle = Path.Combine(work, "bundle");
                var made = ChildProcessMeter.Run("bundle", "bash", [Path.Combine(BenchAssets.RepoRoot(), "scripts", "bundle-arm64.sh"), "--out", bundle]);
                if (made.ExitCode != 0) { Console.WriteLine("bundle-arm64.sh failed: " + made.StdErr); return; }
                Console.WriteLine($"bundle made in {made.WallSeconds:0} s");
            }
            long bytes = new DirectoryInfo(bundle).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            long appBytes = new DirectoryInfo(Path.Combine(bundle, "app")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            Console.WriteLine($"bundle size: {bytes / 1048576.0:0.0} MiB total, program {appBytes / 1048576.0:0.0} MiB (runtime + natives), models {(bytes - appBytes) / 1048576.0:0.0} MiB");

            var model = BenchAssets.Classifier(work, ["a", "b", "c"], out var backbone);
            var image = BenchAssets.PhotoLikeJpeg(640, 480, seed: 3);
            Console.WriteLine($"model: {backbone} + 3-class head; {frames} sequential /v1/classify requests of a 640x480 JPEG after 2 warm-up requests; load {BenchAssets.LoadAverage()}");

            var native = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            native.ArgumentList.Add(BenchAssets.CliDll());
            foreach (var (k, v) in BenchAssets.CliEnvironment()) native.Environment[k] = v;
            // Through the script the tests use: a Raspberry Pi 4's CPU as qemu-user shows it (see the script).
            var emulated = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            emulated.ArgumentList.Add(Path.Combine(BenchAssets.RepoRoot(), "scripts", "run-arm64-emulated.sh"));
            emulated.ArgumentList.Add(Path.Combine(bundle, "app", "lookout"));
            emulated.Environment["LOOKOUT_CACHE"] = Path.Combine(bundle, "cache");
            emulated.Environment.Remove("LD_PRELOAD");

            var x = await Measure(native, model, image, frames);
            var a = await Measure(emulated, model, image, frames);
            Console.WriteLine($"{"",-34} {"start s",8} {"idle MiB",9} {"peak MiB",9} {"ms/frame",9}");
            Console.WriteLine($"{"x86-64 native",-34} {x.StartSeconds,8:0.0} {x.IdleMb,9:0} {x.PeakMb,9:0} {x.MsPerFrame,9:0.0}");
            Console.WriteLine($"{"arm64 EMULATED (qemu-user, not Pi)",-34} {a.StartSeconds,8:0.0} {a.IdleMb,9:0} {a.PeakMb,9:0} {a.MsPerFrame,9:0.0}");
            Console.WriteLine($"emulated / native ms/frame: {a.MsPerFrame / x.MsPerFrame:0.0}x (emulation cost, not a Pi estimate)");
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    private sealed record ServeFigures(double StartSeconds, double IdleMb, double PeakMb, double MsPerFrame);

    private static async Task<ServeFigures> Measure(ProcessStartInfo psi, string model, byte[] image, int frames)
    {
        int port = FreePort();
        foreach (var a in new[] { "serve", "--model", model, "--urls", $"http://127.0.0.1:{port}", "--workspace", Directory.CreateTempSubdirectory("lookout-arm64-ws-").FullName })
            psi.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        _ = p.StandardOutput.ReadToEndAsync();
        var log = p.StandardError.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
            while (true)
            {
                if (p.HasExited) throw new InvalidOperationException($"server exited ({p.ExitCode}): {await log}");
                try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
                await Task.Delay(250);
            }
            double start = clock.Elapsed.TotalSeconds;
            await Task.Delay(2000);
            double idle = Status(p.Id, "VmRSS:");
            for (int i = 0; i < 2; i++) await Post(http, image);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < frames; i++) await Post(http, image);
            double ms = sw.Elapsed.TotalMilliseconds / frames;
            return new ServeFigures(start, idle / 1024, Status(p.Id, "VmHWM:") / 1024, ms);
        }
        finally { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
    }

    private static async Task Post(HttpClient http, byte[] image)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(image), "file", "frame.jpg" } };
        var r = await http.PostAsync("/v1/classify", form);
        r.EnsureSuccessStatusCode();
    }

    private static double Status(int pid, string key) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => double.Parse(l[key.Length..].Trim().Split(' ')[0])).FirstOrDefault();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
