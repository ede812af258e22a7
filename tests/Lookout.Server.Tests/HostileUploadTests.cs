using Lookout.Tests.Shared;

namespace Lookout.Server.Tests;

/// <summary>
/// The server rows of the hostile-input report, on every upload route: crafted BMPs and truncated PNG/JPEG are a 400
/// (never a 500, never a 200 with a made-up answer), a valid BMP and a 1-pixel-wide PNG are answered everywhere.
/// </summary>
public sealed class HostileUploadTests(VisionHost vision) : IClassFixture<VisionHost>
{
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(60); // a hang guard, not a performance claim

    private async Task<IReadOnlyList<RouteAnswer>> PostEverywhere(byte[] image, string name)
    {
        var answers = new List<RouteAnswer>();
        foreach (var route in UploadRoutes.All("colours"))
        {
            using var timeout = new CancellationTokenSource(PerRequest);
            answers.Add(await UploadRoutes.PostAsync(vision.Client, route, image, name, timeout.Token));
        }
        return answers;
    }

    private static void AllRejected(IReadOnlyList<RouteAnswer> answers, string name) =>
        Assert.All(answers, a => Assert.True(a.Status == 400 && !a.Answered, $"{name} on {a.Route}: {a.Status} {a.Body}"));

    private static void AllAnswered(IReadOnlyList<RouteAnswer> answers, string name) =>
        Assert.All(answers, a => Assert.True(a.Answered, $"{name} on {a.Route}: {a.Status} {a.Body}"));

    [Fact]
    public async Task BmpWithHeightIntMin_IsA400OnEveryRoute() =>
        AllRejected(await PostEverywhere(HostileImages.BmpHeightIntMin(), "min.bmp"), "height int.MinValue");

    [Fact]
    public async Task BmpWithHeaderSize0x7FFFFFF5_IsA400OnEveryRoute() =>
        AllRejected(await PostEverywhere(HostileImages.BmpHugeHeaderSize(), "header.bmp"), "header size 0x7FFFFFF5");

    [Fact]
    public async Task TruncatedPngAndJpeg_AreA400OnEveryRoute()
    {
        var png = HostileImages.Good("png");
        var jpg = HostileImages.Good("jpg");
        AllRejected(await PostEverywhere(png[..100], "first100.png"), "the first 100 bytes of a PNG");
        AllRejected(await PostEverywhere(png[..(png.Length * 2 / 3)], "twothirds.png"), "two thirds of a PNG");
        AllRejected(await PostEverywhere(jpg[..(jpg.Length / 2)], "half.jpg"), "half a JPEG");
    }

    [Fact]
    public async Task ValidBmp_IsAnsweredOnEveryRoute() =>
        AllAnswered(await PostEverywhere(HostileImages.Good("bmp"), "good.bmp"), "a valid BMP");

    [Fact]
    public async Task OnePixelWidePng_IsAnsweredOnEveryRoute() =>
        AllAnswered(await PostEverywhere(HostileImages.SolidPng(1, 20000), "strip.png"), "a 1x20000 PNG");

    [Fact]
    public async Task OneBitBmp7000_IsAnsweredOnEveryRoute() =>
        AllAnswered(await PostEverywhere(HostileImages.Bmp1Bit(7000, 7000), "big.bmp"), "a 1-bit 7000x7000 BMP");
}
