using System.Collections.Concurrent;
using Lookout.Core.Studio;
using Lookout.Core.Studio.Import;

namespace Lookout.Server.Studio;

/// <summary>A project with the services the server keeps per project (one scan coalescer, so uploads share scans).</summary>
public sealed record ProjectServices(StudioProject Project, ScanCoalescer Scanner, UploadStore Uploads, Lookout.Core.Studio.Jobs.JobStore Jobs);

/// <summary>The studio's projects folder and the per-project services, made once per project and shared by all requests.</summary>
public sealed class StudioHost
{
    private readonly ConcurrentDictionary<string, ProjectServices> _services = new(StringComparer.Ordinal);

    public StudioHost(ServerOptions options)
    {
        Store = new ProjectStore(options.StudioDirectory ?? throw new InvalidOperationException("the studio is not enabled"));
        Limits = new UploadLimits { MaxImageBytes = options.MaxUploadBytes, MaxVideoBytes = options.MaxVideoUploadBytes, MaxPixels = options.MaxPixels };
    }

    public ProjectStore Store { get; }
    public UploadLimits Limits { get; }

    public ProjectServices Open(string name) => Services(Store.Open(name));

    public ProjectServices Create(string name, string? backbone, bool detect = false) => Services(Store.Create(name, backbone, detect));

    private ProjectServices Services(StudioProject project) => _services.GetOrAdd(project.Name, _ =>
    {
        ReceivedFile.CleanTemp(project.TempDir); // uploads a killed server never finished
        var scanner = new ScanCoalescer(project);
        return new ProjectServices(project, scanner, new UploadStore(project, scanner, Limits), new Lookout.Core.Studio.Jobs.JobStore(project));
    });
}
