using Lookout.Tests.Shared;

namespace Lookout.Cli.Tests.Scale;

/// <summary>
/// A real RabbitMQ and PostgreSQL on loopback in a temp folder of their own, as the bulk-job tests start them (both
/// at once); disposing stops them and removes the folder.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BrokerAndDatabase : IDisposable
{
    public BrokerAndDatabase(string name)
    {
        Root = Directory.CreateTempSubdirectory($"lookout-{name}-").FullName;
        // PostgreSQL runs as its own user when the tests run as root: it must be able to reach its folder.
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Assert.True(RabbitMqServer.Installed && PostgresServer.Installed, "rabbitmq-server and postgresql-15 are installed by scripts/setup.sh --tests");
        Rabbit = new RabbitMqServer(Path.Combine(Root, "rabbit"));
        Pg = new PostgresServer(Path.Combine(Root, "pg"));
        Task.WaitAll(Rabbit.StartAsync(), Task.Run(Pg.Start));
    }

    public string Root { get; }
    public RabbitMqServer Rabbit { get; }
    public PostgresServer Pg { get; }

    public void Dispose()
    {
        Rabbit.Dispose();
        Pg.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
