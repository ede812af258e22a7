using System.Buffers.Binary;
using System.Text;
using Lookout.Core.Runs;
using Lookout.TestSupport;

namespace Lookout.Core.Tests.Runs;

public class TfEventsWriterTests
{
    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x12345678u, Crc32C.Unmask(Crc32C.Mask(0x12345678u)));
    }

    [Fact]
    public void WrittenScalars_ReadBackWithValidChecksums()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lookout-tfevents-" + Guid.NewGuid().ToString("N"));
        try
        {
            var t0 = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250);
            string path;
            using (var w = new TfEventsWriter(dir, () => t0))
            {
                w.AddScalar("loss/train", 0.75f, 1);
                w.AddScalar("loss/val", 0.5f, 1);
                w.AddScalar("accuracy/val", 0.875f, 2);
                path = w.FilePath;
            }
            Assert.StartsWith("events.out.tfevents.1700000000.", Path.GetFileName(path));
            var events = TfEventsTestReader.ReadEvents(File.ReadAllBytes(path));
            Assert.Equal(4, events.Count);
            Assert.Equal("brain.Event:2", events[0].FileVersion);
            Assert.Equal(1_700_000_000.25, events[0].WallTime);
            Assert.Equal([("loss/train", 0.75f, 1L), ("loss/val", 0.5f, 1L), ("accuracy/val", 0.875f, 2L)],
                events.Skip(1).Select(e => (e.Tag!, e.Value, e.Step)).ToArray());
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Reader_RejectsACorruptedRecord()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lookout-tfevents-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path;
            using (var w = new TfEventsWriter(dir)) { w.AddScalar("x", 1f, 1); path = w.FilePath; }
            var bytes = File.ReadAllBytes(path);
            bytes[^6] ^= 0x40; // flip a bit inside the last record's data
            Assert.Throws<InvalidDataException>(() => TfEventsTestReader.ReadEvents(bytes));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void AReopenedFolder_AppendsToItsFile_AfterCuttingATornRecord()
    {
        var dir = Path.Combine(Path.GetTempPath(), "lookout-tfevents-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path;
            using (var w = new TfEventsWriter(dir)) { w.AddScalar("loss/train", 1f, 1); path = w.FilePath; }
            using (var f = new FileStream(path, FileMode.Append)) f.Write([1, 2, 3, 4, 5, 6, 7]); // a kill in the middle of a record
            using (var w = new TfEventsWriter(dir, () => DateTimeOffset.UtcNow.AddHours(1)))
            {
                Assert.Equal(path, w.FilePath); // one history per run, even when the resumed process starts in another second
                w.AddScalar("loss/train", 0.5f, 2);
            }
            Assert.Single(Directory.GetFiles(dir));
            var events = TfEventsTestReader.ReadEvents(File.ReadAllBytes(path));
            Assert.Equal([(1L, 1f), (2L, 0.5f)], events.Where(e => e.Tag == "loss/train").Select(e => (e.Step, e.Value)).ToArray());
            Assert.Single(events, e => e.FileVersion is not null);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
