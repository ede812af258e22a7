using Microsoft.Extensions.Hosting;

namespace Lookout.Server.Hosting;

/// <summary>
/// A host lifetime that does not listen for SIGTERM/SIGINT itself. The default console lifetime stops Kestrel the
/// moment a signal arrives; <see cref="LookoutServer.RunAsync"/> owns the signal (through its cancellation token)
/// instead, so it can report not-ready and keep serving for the drain period before it stops the server.
/// </summary>
internal sealed class CallerOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
