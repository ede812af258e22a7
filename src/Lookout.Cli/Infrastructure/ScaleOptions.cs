using System.CommandLine;
using Lookout.Core;

namespace Lookout.Cli.Infrastructure;

/// <summary>Where the bulk-job broker and database are: a flag, else LOOKOUT_BROKER / LOOKOUT_DB, else an error naming both.</summary>
public static class ScaleOptions
{
    public static Option<string?> Broker() => new("--broker") { Description = "RabbitMQ URI, e.g. amqp://user:pass@host:5672/ (default: $LOOKOUT_BROKER)." };

    public static Option<string?> Db() => new("--db") { Description = "PostgreSQL connection string, e.g. \"Host=db;Username=lookout;Password=...;Database=lookout\" (default: $LOOKOUT_DB)." };

    public static string BrokerUri(ParseResult parse, Option<string?> option) =>
        NonEmpty(parse.GetValue(option)) ?? NonEmpty(Environment.GetEnvironmentVariable("LOOKOUT_BROKER"))
        ?? throw new LookoutException("no broker: pass --broker amqp://host:5672/ or set LOOKOUT_BROKER");

    public static string DbConnection(ParseResult parse, Option<string?> option) =>
        NonEmpty(parse.GetValue(option)) ?? NonEmpty(Environment.GetEnvironmentVariable("LOOKOUT_DB"))
        ?? throw new LookoutException("no database: pass --db \"Host=...;Username=...;Database=...\" or set LOOKOUT_DB");

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
