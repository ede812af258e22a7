using Lookout.Core.Models.Backbones;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Xunit.Abstractions;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Core.Tests.EndToEnd;

/// <summary>With colours random per image only shape separates the classes: the generated backbone must see shape.</summary>
public class ShapeOnlyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GeneratedBackbone_SeparatesShapes_WhenColourIsNoClue()
    {
        var work = Directory.CreateTempSubdirectory("lookout-shape-only-").FullName;
        try
        {
            using var data = new ShapesDataset(perClass: 60, randomColours: true);
            var bb = GeneratedBackbone.EnsureIn(work);
            var r = await new TrainingService().RunAsync(new TrainOptions(), data.Items, bb, Path.Combine(work, "run"));
            output.WriteLine($"accuracy {r.Test!.Accuracy:0.000} ({r.Test.Correct}/{r.Test.Count}), best epoch {r.Fit.BestEpoch}, {r.EmbeddingImagesPerSecond:0} img/s");
            output.WriteLine(Lookout.Core.Evaluation.ReportText.Table(r.Test));
            Assert.True(r.Test.Accuracy >= 0.6, $"shape-only accuracy {r.Test.Accuracy:0.000} (chance 0.25)");
            // Circles, squares and triangles (not just stripes) must be told apart: each above chance recall.
            Assert.All(r.Test.PerClass, c => Assert.True(c.Recall > 0.4, $"{c.Label} recall {c.Recall:0.00}"));
        }
        finally { Directory.Delete(work, true); }
    }
}
