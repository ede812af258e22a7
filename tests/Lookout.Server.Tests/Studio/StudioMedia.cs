using Lookout.Core.Models.Onnx;
using Lookout.TestSupport;
using NetVips;

namespace Lookout.Server.Tests.Studio;

/// <summary>Generated pictures and clips for the studio tests: a dominant colour with sharp texture (so the colour model and the blur check both have something to see).</summary>
internal static class StudioMedia
{
    public static byte[] Textured(int r, int g, int b, int seed, int width = 160, int height = 120, double blur = 0)
    {
        var rng = new Random(seed);
        var px = new byte[width * height * 3];
        int block = 8;
        var cells = new int[(width / block + 1) * (height / block + 1)];
        for (int i = 0; i < cells.Length; i++) cells[i] = rng.Next(-50, 51);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int d = cells[(y / block) * (width / block + 1) + x / block], i = (y * width + x) * 3;
                px[i] = Clamp(r + d); px[i + 1] = Clamp(g + d); px[i + 2] = Clamp(b + d);
            }
        using var image = Image.NewFromMemory(px, width, height, 3, Enums.BandFormat.Uchar);
        using var soft = blur > 0 ? image.Gaussblur(blur) : image.Copy();
        using var cast = soft.Cast(Enums.BandFormat.Uchar);
        return cast.PngsaveBuffer();
    }

    private static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);

    /// <summary>The mean-colour classifier as a project's run: labels in name order, R/G/B weights to red/green/blue.</summary>
    public static void WriteRun(string workspace, string run, string[] labels)
    {
        var dir = Path.Combine(workspace, "runs", run);
        Directory.CreateDirectory(dir);
        var w = new float[3 * labels.Length];
        for (int c = 0; c < labels.Length; c++)
        {
            int channel = labels[c] switch { "red" or "crimson" => 0, "green" => 1, _ => 2 };
            w[channel * labels.Length + c] = 10;
        }
        var model = MeanColourClassifier.Build(labels, TestModels.Spec, w, new float[labels.Length]);
        model.Metadata[Lookout.Core.Models.ModelMetadata.Run] = run;
        OnnxWriter.Save(model, Path.Combine(dir, "model.onnx"));
    }

    /// <summary>ffmpeg-made clip: colour segments (each with a moving white box, so frames differ and are sharp).</summary>
    public static string Clip(string path, params (string Colour, double Seconds)[] segments)
    {
        var inputs = new List<string>();
        var filter = new System.Text.StringBuilder();
        for (int i = 0; i < segments.Length; i++)
        {
            inputs.AddRange(["-f", "lavfi", "-i", $"color=c={segments[i].Colour}:s=320x240:r=10:d={segments[i].Seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
            // overlay evaluates x per frame (drawbox would not move), so consecutive frames differ
            filter.Append($"[{i}:v]drawgrid=w=32:h=32:t=2:c=white@0.9[g{i}];color=c=black:s=60x60:r=10[b{i}];[g{i}][b{i}]overlay=x='mod(t*90,260)':y=90:shortest=1[v{i}];");
        }
        filter.Append(string.Concat(Enumerable.Range(0, segments.Length).Select(i => $"[v{i}]"))).Append($"concat=n={segments.Length}:v=1:a=0[out]");
        var args = new List<string> { "-y", "-loglevel", "error" };
        args.AddRange(inputs);
        args.AddRange(["-filter_complex", filter.ToString(), "-map", "[out]"]);
        args.AddRange(Path.GetExtension(path) switch
        {
            ".y4m" => ["-pix_fmt", "yuv420p"],
            ".webm" => ["-c:v", "libvpx", "-b:v", "1M", "-pix_fmt", "yuv420p"],
            _ => ["-c:v", "libx264", "-pix_fmt", "yuv420p"],
        });
        args.Add(path);
        Ffmpeg(args);
        return path;
    }

    /// <summary>An H.264 clip (10 fps) showing each picture of the folder in name order, <paramref name="picturesPerSecond"/> of them a second.</summary>
    public static string SlideShow(string folder, string path, double picturesPerSecond)
    {
        Ffmpeg(["-y", "-loglevel", "error", "-framerate", picturesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-pattern_type", "glob", "-i", Path.Combine(folder, "*.png"), "-vf", "fps=10", "-c:v", "libx264", "-pix_fmt", "yuv420p", path]);
        return path;
    }

    private static void Ffmpeg(IEnumerable<string> args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"ffmpeg failed: {err}");
    }
}
