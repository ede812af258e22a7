using System.Net;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;

namespace Lookout.Core.Tests.Studio;

public class UrlImportTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.8.8", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.5.4", "private")]
    [InlineData("192.168.1.20", "private")]
    [InlineData("169.254.169.254", "link-local (cloud metadata)")]
    [InlineData("100.100.100.200", "carrier-grade NAT")]
    [InlineData("224.0.0.251", "multicast")]
    [InlineData("0.0.0.0", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "private (unique-local)")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local (cloud metadata)")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:c0a8:0101::1", "private")]
    public void AddressPolicy_RefusesNonPublicAddresses(string address, string kind) =>
        Assert.EndsWith($"is a {kind} address", AddressPolicy.PublicOnly.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void AddressPolicy_AllowsPublicAddresses(string address) => Assert.Null(AddressPolicy.PublicOnly.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void AddressPolicy_OperatorRangesOpenOnlyThemselves()
    {
        var policy = new AddressPolicy(["192.168.1.0/24"]);
        Assert.Null(policy.Refusal(IPAddress.Parse("192.168.1.7")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("192.168.2.7")));
        Assert.NotNull(policy.Refusal(IPAddress.Parse("127.0.0.1")));
    }

    [Fact]
    public async Task EveryRefusal_IsProvedAgainstALocalServer_AndGoodImagesArrive()
    {
        using var kit = new StudioTestKit("cat");
        await using var server = new TinyHttpServer();
        var png1 = StudioTestKit.Png(1, 80, 60);
        var png2 = StudioTestKit.Png(2, 80, 60);
        server.Bytes("/ok.png", png1, "image/png")
            .Bytes("/photo", png2, "text/plain")                                  // no extension, wrong type: still an image by its bytes
            .Bytes("/fake.jpg", "<html>not a picture</html>"u8.ToArray(), "image/jpeg")
            .Bytes("/claims-huge", png1, "image/png", claimedLength: 50L * 1024 * 1024)
            .Map("/endless", async (s, ct) =>
            {
                await TinyHttpServer.Head(s, 200, "Content-Type: image/png\r\n", ct);   // no length: read until the cap trips
                await s.WriteAsync(png1.AsMemory(0, 64), ct);
                var junk = new byte[64 * 1024];
                for (int i = 0; i < 64; i++) await s.WriteAsync(junk, ct);
            })
            .Map("/stall", async (s, ct) =>
            {
                await TinyHttpServer.Head(s, 200, "Content-Type: image/png\r\nContent-Length: 1000\r\n", ct);
                await s.WriteAsync(png1.AsMemory(0, 10), ct);
                await Task.Delay(TimeSpan.FromSeconds(30), ct);
            })
            .Redirect("/to-private", "http://10.1.2.3/x.png")
            .Redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
            .Redirect("/to-mapped-loopback", "http://[::ffff:127.0.0.1]:1/x.png")
            .Redirect("/to-ftp", "ftp://example.com/x.png")
            .Redirect("/loop", "/loop")
            .Redirect("/to-ok", "/photo");

        var options = new UrlImportOptions { AllowedRanges = ["127.0.0.1/32"], MaxBytes = 1024 * 1024, Timeout = TimeSpan.FromSeconds(2) };
        using var importer = new UrlImporter(options);
        string[] urls =
        [
            server.Url("/ok.png"), server.Url("/to-ok"), server.Url("/fake.jpg"), server.Url("/claims-huge"), server.Url("/endless"),
            server.Url("/stall"), server.Url("/to-private"), server.Url("/to-metadata"), server.Url("/to-mapped-loopback"),
            server.Url("/to-ftp"), server.Url("/loop"), server.Url("/nope.png"), server.Url("/ok.png"),
            $"ftp://127.0.0.1:{server.Port}/ok.png", "file:///etc/passwd", $"http://user:pw@127.0.0.1:{server.Port}/ok.png",
            $"http://[::1]:{server.Port}/ok.png", "http://192.168.1.1/router.png", "http://[fe80::1]/x.png", "not a url",
        ];
        var results = await importer.ImportAsync(urls, kit.Uploads, "cat");
        var by = results.Select((r, i) => (r, i)).ToDictionary(t => t.i, t => t.r);
        void Is(int i, UrlStatus status, string? reason = null)
        {
            Assert.True(by[i].Status == status, $"{urls[i]}: {by[i].Status} {by[i].Reason}");
            if (reason is not null) Assert.Contains(reason, by[i].Reason);
        }
        Is(0, UrlStatus.Added);
        Is(1, UrlStatus.Added);                        // redirect within the allowed range, then content-sniffed
        Is(2, UrlStatus.Refused, "not an image");
        Is(3, UrlStatus.Refused, "larger than");
        Is(4, UrlStatus.Refused, "larger than");
        Is(5, UrlStatus.Failed, "within 2 s");
        Is(6, UrlStatus.Refused, "10.1.2.3 is a private address");
        Is(7, UrlStatus.Refused, "169.254.169.254 is a link-local (cloud metadata) address");
        Is(8, UrlStatus.Failed, "could not connect"); // IPv4-mapped loopback is judged as 127.0.0.1 (allowed here); port 1 is closed
        Is(9, UrlStatus.Refused, "scheme 'ftp'");
        Is(10, UrlStatus.Refused, "more than 5 redirects");
        Is(11, UrlStatus.Failed, "HTTP 404");
        Is(12, UrlStatus.Duplicate);
        Is(13, UrlStatus.Refused, "scheme 'ftp'");
        Is(14, UrlStatus.Refused, "scheme 'file'");
        Is(15, UrlStatus.Refused, "credentials");
        Is(16, UrlStatus.Refused, "::1 is a loopback address");
        Is(17, UrlStatus.Refused, "private");
        Is(18, UrlStatus.Refused, "link-local");
        Is(19, UrlStatus.Refused, "not an absolute URL");
        Assert.Equal(2, ItemQuery.List(kit.Project, ItemView.Class, "cat").Count);
        Assert.Empty(Directory.EnumerateFiles(kit.Project.TempDir));

        // Without the explicit allowance, the same local server is loopback and refused before any connection.
        int before = server.Requests;
        using var strict = new UrlImporter(new UrlImportOptions());
        var refused = Assert.Single(await strict.ImportAsync([server.Url("/ok.png")], kit.Uploads, "cat"));
        Assert.Equal(UrlStatus.Refused, refused.Status);
        Assert.Contains("127.0.0.1 is a loopback address", refused.Reason);
        Assert.Equal(before, server.Requests);
    }
}
