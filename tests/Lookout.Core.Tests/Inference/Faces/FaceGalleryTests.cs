using Lookout.Core.Datasets;
using Lookout.Core.Inference.Faces;
using Microsoft.Data.Sqlite;

namespace Lookout.Core.Tests.Inference.Faces;

public sealed class FaceGalleryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-faces-").FullName;
    private string Db => Path.Combine(_dir, "catalog.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static float[] Descriptor(int seed, float spread = 1f)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, 1024).Select(_ => (float)rng.NextDouble() * spread).ToArray();
    }

    [Fact]
    public void EnrollListRemove_RoundTripsDescriptorsExactly_BesideTheDatasetCatalog()
    {
        using (var catalog = Catalog.Open(Db)) { } // the dataset catalog's tables live in the same file
        var alice = Descriptor(1);
        using (var g = FaceGallery.Open(Db))
        {
            Assert.Equal(2, g.Enroll(" alice ", [(alice, "sha-a1"), (Descriptor(2), null)]));
            g.Enroll("bob", [(Descriptor(3), "sha-b")]);
        }
        using (var g = FaceGallery.Open(Db))
        {
            Assert.Equal([("alice", 2), ("bob", 1)], g.Names().Select(n => (n.Name, n.Faces)));
            var first = g.All()[0];
            Assert.Equal(("alice", "sha-a1"), (first.Name, first.SourceSha));
            Assert.Equal(alice, first.Descriptor);
            Assert.Equal(2, g.Remove("ALICE"));
            Assert.Equal(0, g.Remove("alice"));
            Assert.Equal(["bob"], g.Names().Select(n => n.Name));
        }
        using (var catalog = Catalog.Open(Db)) Assert.Empty(catalog.All()); // still a valid dataset catalog
    }

    [Fact]
    public void Enroll_RejectsBadNamesAndDescriptors_WithoutPartialWrites()
    {
        using var g = FaceGallery.Open(Db);
        Assert.Contains("user id", Assert.Throws<ArgumentException>(() => g.Enroll("  ", [(Descriptor(1), null)])).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => g.Enroll("Unknown", [(Descriptor(1), null)])).Message);
        var nan = Descriptor(2); nan[5] = float.NaN;
        Assert.Throws<ArgumentException>(() => g.Enroll("carol", [(Descriptor(1), null), (nan, null)]));
        Assert.Throws<ArgumentException>(() => g.Enroll("carol", [(new float[10], null)]));
        Assert.Empty(g.Names()); // the transaction rolled back the first, valid descriptor
    }

    [Fact]
    public void Recognizer_AnswersUnknownBelowThreshold_AndNearestAbove()
    {
        var alice = Descriptor(1);
        var bob = Descriptor(2);
        using var g = FaceGallery.Open(Db);
        g.Enroll("alice", [(alice, null)]);
        g.Enroll("bob", [(bob, null)]);
        var recognizer = new FaceRecognizer(g.All(), FaceRecognizer.DefaultThreshold);
        var nearAlice = alice.Select((v, i) => v + (i % 2 == 0 ? 0.05f : -0.05f)).ToArray();
        var m = recognizer.Match(nearAlice);
        Assert.Equal("alice", m.Name);
        Assert.True(m.IsKnown && m.Similarity > 0.9f);
        var stranger = Descriptor(99, spread: 6f); // far from both (values span FaceRes' 0..6)
        var u = recognizer.Match(stranger);
        Assert.Equal(FaceGallery.Unknown, u.Name);
        Assert.False(u.IsKnown);
        Assert.True(u.Similarity < FaceRecognizer.DefaultThreshold);
        Assert.NotNull(u.NearestName); // the closest stranger is reported, never returned as the answer
        Assert.Equal(FaceGallery.Unknown, new FaceRecognizer([], 0.5f).Match(alice).Name);
        // A threshold of 0 accepts the nearest: that is what "unknown" protects against.
        Assert.True(new FaceRecognizer(g.All(), 0f).Match(stranger).IsKnown);
    }

    [Fact]
    public void StoredThreshold_PersistsAndIsValidated()
    {
        using (var g = FaceGallery.Open(Db))
        {
            Assert.Null(g.StoredThreshold);
            g.StoreThreshold(0.61f, "test");
            Assert.Throws<ArgumentException>(() => g.StoreThreshold(1.5f, "bad"));
        }
        using (var g = FaceGallery.Open(Db)) Assert.Equal(0.61f, g.StoredThreshold);
    }
}
