namespace Lookout.Server.Tests;

/// <summary>One server per test class for the detector and face routes, so the models are loaded once, not per test.</summary>
public sealed class VisionHost : IAsyncLifetime
{
    internal TestHost Host { get; private set; } = null!;
    public HttpClient Client => Host.Client;

    public async Task InitializeAsync() => Host = await TestHost.StartAsync();
    public async Task DisposeAsync() => await Host.DisposeAsync();
}
