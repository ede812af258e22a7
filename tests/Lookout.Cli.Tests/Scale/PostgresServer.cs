namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// A real PostgreSQL 15 cluster (Debian's binaries) made by initdb in its own folder, listening on a free loopback
/// port with trust auth, independent of the machine's own cluster. PostgreSQL refuses to run as root, so when the
/// tests run as root the server runs as the 'postgres' user (runuser) and its folder belongs to that user.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _data;
    private readonly string _socketDir;
    private readonly bool _asPostgres = LoopbackServers.IsRoot;

    public PostgresServer(string dir)
    {
        Directory.CreateDirectory(dir);
        _data = Path.Combine(dir, "data");
        _socketDir = dir;
        Port = LoopbackServers.FreePort();
        if (_asPostgres) LoopbackServers.Run("chown", ["-R", "postgres:postgres", dir]);
        Pg("initdb", "-D", _data, "-U", "lookout", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C");
    }

    public int Port { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=lookout;Database=postgres;Timeout=5;Command Timeout=30";

    public static bool Installed => File.Exists(Path.Combine(Bin, "initdb"));

    public void Start() =>
        // fsync off: these tests stop the server cleanly; what they test is the workers' behaviour, not the disk's.
        Pg("pg_ctl", "-D", _data, "-w", "-t", "60", "-l", Path.Combine(_socketDir, "server.log"), "start",
            "-o", $"-p {Port} -k {_socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");

    public void Stop() => Pg("pg_ctl", "-D", _data, "-w", "-t", "60", "-m", "fast", "stop");

    private void Pg(string tool, params string[] args)
    {
        var exe = Path.Combine(Bin, tool);
        if (_asPostgres) LoopbackServers.Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else LoopbackServers.Run(exe, args);
    }

    public void Dispose()
    {
        try { Pg("pg_ctl", "-D", _data, "-m", "immediate", "stop"); } catch (InvalidOperationException) { /* not running */ }
    }
}
