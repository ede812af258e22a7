using Lookout.Scale.Messages;

namespace Lookout.Cli.Tests.Scale;

public class BatchMessageTests
{
    [Fact]
    public void EncodeDecode_RoundTripsNamesHashesAndBytes()
    {
        var items = new List<BatchItem> { new("a/1.jpg", new string('a', 64), [1, 2, 3]), new("b,\"2\".png", new string('b', 64), []), new("ü.png", new string('c', 64), new byte[70_000]) };
        var message = new BatchMessage("job-1", new string('f', 64), JobTask.Embed, 3, items);
        var back = BatchMessage.Decode(message.Encode());
        Assert.Equal(("job-1", message.ModelId, JobTask.Embed, 3), (back.JobId, back.ModelId, back.Task, back.Top));
        Assert.Equal(items.Select(i => (i.Name, i.Sha256, Convert.ToHexString(i.Bytes))), back.Items.Select(i => (i.Name, i.Sha256, Convert.ToHexString(i.Bytes))));
    }

    [Theory]
    [InlineData(0)]   // empty
    [InlineData(1)]   // wrong magic
    [InlineData(2)]   // truncated payload
    [InlineData(3)]   // trailing bytes
    public void Decode_RefusesWhatIsNotAWellFormedBatch(int damage)
    {
        var good = new BatchMessage("j", new string('f', 64), JobTask.Classify, 5, [new BatchItem("x.png", new string('a', 64), [9, 9, 9, 9])]).Encode();
        byte[] bad = damage switch
        {
            0 => [],
            1 => [.. "NOPE"u8.ToArray(), .. good[4..]],
            2 => good[..^2],
            _ => [.. good, 0],
        };
        Assert.Throws<InvalidDataException>(() => BatchMessage.Decode(bad));
    }

    [Fact]
    public async Task JobsCommands_WithoutBrokerOrDatabase_SayWhatToPass()
    {
        var dir = Directory.CreateTempSubdirectory("lookout-jobs-args-").FullName;
        try
        {
            var env = new Dictionary<string, string> { ["LOOKOUT_DB"] = "", ["LOOKOUT_BROKER"] = "" };
            var status = await CliRunner.RunAsync(dir, ["jobs", "status", "job-x"], environment: env);
            Assert.Equal(1, status.ExitCode);
            Assert.Contains("--db", status.StdErr);
            Directory.CreateDirectory(Path.Combine(dir, "imgs"));
            File.WriteAllBytes(Path.Combine(dir, "imgs", "a.png"), Lookout.Tests.Shared.HostileImages.Good("png"));
            File.WriteAllBytes(Path.Combine(dir, "m.onnx"), []);
            var submit = await CliRunner.RunAsync(dir, ["jobs", "submit", "imgs", "--model", "m.onnx", "--db", "Host=127.0.0.1"], environment: env);
            Assert.Equal(1, submit.ExitCode);
            Assert.Contains("--broker", submit.StdErr);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
