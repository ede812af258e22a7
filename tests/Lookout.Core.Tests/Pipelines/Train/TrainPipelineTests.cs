using Lookout.Core.Datasets;
using Lookout.Core.Pipelines;
using Lookout.Core.Pipelines.Train;
using Lookout.Core.Tests.TestData;

namespace Lookout.Core.Tests.Pipelines.Train;

/// <summary>When <c>train</c> trains the compact CNN from scratch instead of a head on a pretrained backbone, and what it says.</summary>
public sealed class TrainPipelineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-trainpipeline-").FullName;

    private List<LabeledImage> Images(int perClass, int size)
    {
        var rng = new Random(1);
        var items = new List<LabeledImage>();
        foreach (var label in ShapesDataset.Classes[..2])
            for (int i = 0; i < perClass; i++)
            {
                var path = Path.Combine(_dir, $"{label}-{size}-{i}.png");
                if (!File.Exists(path)) ShapesDataset.WritePng(path, ShapesDataset.Draw(label, size, rng), size);
                items.Add(new LabeledImage(path, $"{label}{i}", label, Split.Train, path));
            }
        return items;
    }

    private TrainRequest Request => new() { DataDir = _dir, Workspace = new Workspace(Path.Combine(_dir, "ws")) };

    [Fact]
    public void SmallAndPlentiful_TrainsFromScratch_UnlessABackboneWasAskedFor_OrItIsOff()
    {
        var small = Images(500, 16);
        var messages = new Messages();
        var auto = TrainPipeline.ScratchDecision(Request, small, messages);
        Assert.NotNull(auto);
        Assert.Equal((16, 16), (auto.Width, auto.Height));
        Assert.Contains(messages.Lines, m => m.Contains("training a compact CNN from scratch at 16x16", StringComparison.Ordinal));

        messages.Lines.Clear();
        Assert.Null(TrainPipeline.ScratchDecision(Request with { BackboneChosen = true }, small, messages));
        Assert.Contains(messages.Lines, m => m.Contains("would likely beat the pretrained backbone here (--from-scratch on)", StringComparison.Ordinal));
        Assert.Null(TrainPipeline.ScratchDecision(Request with { Backbone = "generated" }, small, messages));
        Assert.Null(TrainPipeline.ScratchDecision(Request with { FromScratch = FromScratch.Off }, small, messages));
        Assert.Null(TrainPipeline.ScratchDecision(Request with { FineTune = new Lookout.Core.Training.FineTuning.FineTuneOptions() }, small, messages));
    }

    [Fact]
    public void FewOrLargeImages_KeepTheBackbone_UnlessScratchIsOn()
    {
        var few = Images(20, 16);
        Assert.Null(TrainPipeline.ScratchDecision(Request, few, new Messages()));
        var large = Images(20, 128);
        Assert.Null(TrainPipeline.ScratchDecision(Request, large, new Messages()));
        var on = TrainPipeline.ScratchDecision(Request with { FromScratch = FromScratch.On }, large, new Messages());
        Assert.Equal((64, 64), (on!.Width, on.Height)); // capped at the policy's largest side
    }

    [Fact]
    public void TrainOnly_MakesNoTestSplit()
    {
        Assert.Equal(0, (Request with { TrainOnly = true }).SplitOptions.Test);
        Assert.Equal(0.15, Request.SplitOptions.Test);
    }

    private sealed class Messages : IPipelineObserver
    {
        public List<string> Lines { get; } = [];
        public void OnMessage(PipelinePhase phase, string message) => Lines.Add(message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
