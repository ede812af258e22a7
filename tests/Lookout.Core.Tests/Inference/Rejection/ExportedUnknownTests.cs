using Lookout.Core.Datasets;
using Lookout.Core.Inference;
using Lookout.Core.Models;
using Lookout.Core.Models.Backbones;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Tests.TestData;
using Lookout.Core.Training;
using Xunit.Abstractions;
using Lookout.Core.Pipelines.Train;

namespace Lookout.Core.Tests.Inference.Rejection;

/// <summary>The exported model answers "unknown" for a shape it never saw, through the same path classify uses.</summary>
public class ExportedUnknownTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("lookout-unknown-").FullName;
    private readonly ShapesDataset _data = new(perClass: 40);

    [Fact]
    public async Task ModelTrainedWithoutStripes_CallsStripesUnknown_AndKeepsKnownClasses()
    {
        const string heldOut = "yellow-stripes";
        var backbone = GeneratedBackbone.EnsureIn(Path.Combine(_work, "models"));
        var known = _data.Items.Where(i => i.Label != heldOut).ToList();
        var result = await new TrainingService().RunAsync(TrainOptions.Default, known, backbone, Path.Combine(_work, "run1"));

        var onnx = OnnxReader.Load(result.ModelPath);
        Assert.Equal([ModelMetadata.ProbsOutput, ModelMetadata.EmbeddingOutput], onnx.Graph.Outputs.Select(o => o.Name));
        Assert.True(onnx.Metadata.ContainsKey(ModelMetadata.Thresholds));

        using var model = ClassifierModel.Load(result.ModelPath);
        Assert.NotNull(model.Thresholds);
        var stripes = _data.Items.Where(i => i.Label == heldOut).Select(i => i.Path).ToList();
        var knownTest = known.Where(i => i.Split == Split.Test).ToList();
        var answers = new List<ClassifyResult>();
        await foreach (var r in model.ClassifyFilesAsync([.. stripes, .. knownTest.Select(i => i.Path)], top: 3)) answers.Add(r);

        double rejected = answers.Take(stripes.Count).Count(r => r.Unknown) / (double)stripes.Count;
        var knownAnswers = answers.Skip(stripes.Count).ToList();
        double accBefore = knownTest.Where((t, i) => knownAnswers[i].Top!.Label == t.Label).Count() / (double)knownTest.Count;
        double accAfter = knownTest.Where((t, i) => knownAnswers[i].Label == t.Label).Count() / (double)knownTest.Count;
        foreach (var a in knownAnswers.Where(a => a.Unknown)) output.WriteLine(a.Rejection!.Reason);
        foreach (var c in model.Thresholds!.Classes) output.WriteLine($"{c.Label}: p>={c.MinProbability} sim>={c.MinSimilarity} n={c.CalibrationCount}");
        output.WriteLine($"stripes rejected {rejected:P0}; known accuracy {accBefore:P1} -> {accAfter:P1}");

        Assert.True(rejected >= 0.8, $"only {rejected:P0} of the unseen class rejected");
        Assert.True(accBefore - accAfter <= 0.15, $"known accuracy {accBefore:P1} -> {accAfter:P1}");
        Assert.All(answers.Where(a => a.Unknown), a => Assert.Equal("unknown", a.Label));
        // probs is untouched by rejection: the evaluation saw the same probabilities.
        Assert.Equal(result.Test!.Accuracy, accBefore, 6);
        // eval reports how many of its images the calibrated model would call unknown.
        Assert.Equal(knownAnswers.Count(a => a.Unknown), result.Test.CalledUnknown);
    }

    public void Dispose()
    {
        _data.Dispose();
        try { Directory.Delete(_work, true); } catch (IOException) { }
    }
}
