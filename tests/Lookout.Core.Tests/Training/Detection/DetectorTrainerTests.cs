using Lookout.Core.Imaging;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Pipelines.Detect;
using Lookout.Core.Tests.Inference;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Training.Detection;
using Lookout.Core.Training.FineTuning;

namespace Lookout.Core.Tests.Training.Detection;

/// <summary>Head surgery, box augmentation, assignment, and the trainer's seeding and exact resume, on tiny inputs.</summary>
public sealed class DetectorTrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-dettrain-").FullName;

    private static OnnxModel Sized(int classes, int size) =>
        NanoDetGraph.WithClasses(NanoDetGraph.WithInputSize(OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet")), size), classes, seed: 1);

    [Fact]
    public void Surgery_SizesTheHeadToTheClasses_KeepsBoxRegressionWeights()
    {
        var original = OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet"));
        var sized = Sized(2, 128);
        Assert.Equal(2, NanoDetGraph.ClassCount(sized));
        Assert.Equal(128, NanoDetGraph.InputSize(sized));
        var levels = NanoDetGraph.Levels(sized);
        Assert.Equal([8, 16, 32], levels.Select(l => l.Stride));
        var before = original.Graph.Initializers.First(t => t.Name == levels[0].WeightName).ToFloats();
        var after = sized.Graph.Initializers.First(t => t.Name == levels[0].WeightName).ToFloats();
        int inCh = before.Length / 124;
        Assert.Equal(46 * inCh, after.Length);
        Assert.Equal(before[(80 * inCh)..], after[(2 * inCh)..]); // the 44 distribution channels are COCO's
        var bias = sized.Graph.Initializers.First(t => t.Name == levels[0].BiasName).ToFloats();
        Assert.Equal(NanoDetGraph.PriorBias, bias[0]);

        // ONNX Runtime runs the sized graph at the new size: [1, cells, 2] scores at the 1% prior on a blank image.
        var path = Path.Combine(_dir, "sized.onnx");
        sized.Metadata[Lookout.Core.Inference.Detectors.TrainedDetectorModel.TaskKey] = "detect";
        sized.Metadata[Lookout.Core.Models.ModelMetadata.Labels] = "[\"a\",\"b\"]";
        sized.Metadata[Lookout.Core.Models.ModelMetadata.Preprocess] = new PreprocessSpec { Width = 128, Height = 128, Resize = ResizeMode.Stretch, Mean = [0, 0, 0], Std = [255, 255, 255] }.ToJson();
        OnnxWriter.Save(sized, path);
        using var detector = Lookout.Core.Inference.Detectors.DetectorService.Open(path);
        Assert.Equal(["a", "b"], detector.Labels);
        Assert.Empty(detector.Detect(new RgbImage(128, 128, new byte[128 * 128 * 3]), new() { MinScore = 0.2f }));
    }

    [Fact]
    public void AClassCocoKnows_StartsFromCocosChannel_AndFindsItsObjectsBeforeAnyTraining()
    {
        Assert.Equal(0, CocoLabels.Matching("Person"));
        Assert.Equal(CocoLabels.All.ToList().IndexOf("potted plant"), CocoLabels.Matching("potted_plant"));
        Assert.Equal(CocoLabels.All.ToList().IndexOf("chair"), CocoLabels.Matching("chairs"));
        Assert.Null(CocoLabels.Matching("mila"));
        Assert.Equal([0, 16, null], DetectTrainPipeline.StartingClasses(["person", "mila", "parcel"], new Dictionary<string, string> { ["mila"] = "dog" }));

        var original = OnnxReader.Load(ModelCatalog.Default().GetPath("nanodet"));
        var model = NanoDetGraph.WithClasses(NanoDetGraph.WithInputSize(original, 416), 2, seed: 1, startFrom: [null, 0]);
        var level = NanoDetGraph.Levels(model)[0];
        var coco = original.Graph.Initializers.First(t => t.Name == level.WeightName).ToFloats();
        var sized = model.Graph.Initializers.First(t => t.Name == level.WeightName).ToFloats();
        int inCh = coco.Length / 124;
        Assert.Equal(coco[..inCh], sized[inCh..(2 * inCh)]); // class 1 is COCO's person, row for row
        Assert.Equal(original.Graph.Initializers.First(t => t.Name == level.BiasName).ToFloats()[0], model.Graph.Initializers.First(t => t.Name == level.BiasName).ToFloats()[1]);

        // Untrained, the class that starts from "person" already finds the people in the group photos; the fresh one nothing.
        var path = Path.Combine(_dir, "people.onnx");
        OnnxWriter.Save(DetectorExport.Build(model, ["parcel", "visitor"], "nanodet", "detect1", "test"), path);
        using var detector = DetectorService.Open(path);
        var found = SamplePhotos.All.SelectMany(p => detector.DetectFile(p, new DetectorOptions { MinScore = 0.4f }).Detections).ToList();
        Assert.True(found.Count(d => d.Label == "visitor") >= 10, $"{found.Count(d => d.Label == "visitor")} visitors found in six group photos");
        Assert.DoesNotContain(found, d => d.Label == "parcel");
    }

    [Fact]
    public void Augmentation_ClipsBoxesToTheCrop_DropsMostlyHiddenOnes_FlipsMirrorBoxes()
    {
        var boxes = new[] { new TrainBox(0, new BoxF(10, 10, 30, 30)), new TrainBox(1, new BoxF(90, 10, 110, 30)), new TrainBox(0, new BoxF(45, 0, 65, 20)) };
        // Window x 40..100, y 0..60 -> output 60x60 at scale 1: box 0 is outside, box 1 keeps half (clipped), box 2 is whole.
        var mapped = BoxAugmenter.Map(boxes, new BoxF(40, 0, 100, 60), 0, 0, 60, 60);
        Assert.Equal([new TrainBox(1, new BoxF(50, 10, 60, 30)), new TrainBox(0, new BoxF(5, 0, 25, 20))], mapped);
        var sliver = BoxAugmenter.Map([new TrainBox(0, new BoxF(0, 0, 20, 20))], new BoxF(15, 0, 75, 60), 0, 0, 60, 60);
        Assert.Empty(sliver); // 25% visible: below MinVisible
        var (_, flipped) = BoxAugmenter.Flip(new RgbImage(100, 50, new byte[100 * 50 * 3]), [new TrainBox(0, new BoxF(10, 5, 30, 25))]);
        Assert.Equal(new BoxF(70, 5, 90, 25), flipped[0].Box);
    }

    [Fact]
    public void LetterboxedAugmentation_KeepsEveryBoxOnItsObject_AndPlainIsTheServedGeometry()
    {
        // A 2:1 picture: blue-grey ground, two red squares. Whatever crop, shrink, placement, mosaic and flip the
        // augmenter picks, each box it answers must cover red pixels (the object), never the grey bars or the ground.
        const int w = 240, h = 120;
        var px = new byte[w * h * 3];
        for (int i = 0; i < px.Length; i += 3) { px[i] = 60; px[i + 1] = 90; px[i + 2] = 140; }
        var truth = new[] { new BoxF(20, 30, 60, 70), new BoxF(150, 10, 210, 70) };
        foreach (var b in truth)
            for (int y = (int)b.Y1; y < (int)b.Y2; y++)
                for (int x = (int)b.X1; x < (int)b.X2; x++) { int i = (y * w + x) * 3; px[i] = 230; px[i + 1] = 20; px[i + 2] = 20; }
        var sample = new BoxSample(new RgbImage(w, h, px), truth.Select(b => new TrainBox(0, b)).ToList());
        var augmenter = new BoxAugmenter(64, mosaicProbability: 0.5);

        var (plain, plainBoxes) = augmenter.Plain(sample);
        var placement = InputPlacement.For(new ImageTarget(64, 64, ImageFit.Letterbox), w, h);
        Assert.Equal(truth.Select(placement.ToInput), plainBoxes.Select(b => b.Box));
        Assert.Equal(ImageLoader.LetterboxFill, plain.Pixels[0]); // the bar above the picture

        int boxes = 0;
        for (int seed = 0; seed < 60; seed++)
        {
            var (image, found) = augmenter.Augment(sample, [sample, sample, sample, sample], new Random(seed));
            foreach (var b in found)
            {
                int red = 0, all = 0;
                for (int y = (int)MathF.Ceiling(b.Box.Y1); y < (int)b.Box.Y2; y++)
                    for (int x = (int)MathF.Ceiling(b.Box.X1); x < (int)b.Box.X2; x++, all++)
                    {
                        int i = (y * 64 + x) * 3;
                        if (image.Pixels[i] > image.Pixels[i + 2] + 40) red++;
                    }
                Assert.True(all == 0 || red >= 0.8 * all, $"seed {seed}: box {b.Box} is {red}/{all} object pixels");
                boxes++;
            }
        }
        Assert.True(boxes > 60, $"{boxes} boxes over 60 augmentations");
    }

    [Fact]
    public void DefaultEpochs_FollowTheDataSize_WithinTheFloorAndCeiling_AndAnExplicitCountWins()
    {
        var auto = new DetectorTrainOptions();
        Assert.Null(auto.Epochs);
        Assert.Equal(15, auto.EpochsFor(210)); // 300 boxed images, 70 % for training
        Assert.Equal(DetectorTrainOptions.MaxAutoEpochs, auto.EpochsFor(12));
        Assert.Equal(DetectorTrainOptions.MinAutoEpochs, auto.EpochsFor(5000));
        Assert.Equal(3, (auto with { Epochs = 3 }).EpochsFor(210));
        Assert.Throws<ArgumentException>(() => (auto with { Epochs = 0 }).Validate());
    }

    [Fact]
    public void Atss_GivesEachBoxPositivesInsideIt_OnTheLevelThatFitsItsSize()
    {
        var grid = new AnchorGrid(128);
        var small = new BoxF(20, 20, 44, 44);
        var large = new BoxF(30, 30, 126, 126);
        var assigned = AtssAssigner.Assign(grid, [new TrainBox(0, small), new TrainBox(1, large)]);
        var smallCells = Enumerable.Range(0, grid.Count).Where(i => assigned[i] == 0).ToList();
        var largeCells = Enumerable.Range(0, grid.Count).Where(i => assigned[i] == 1).ToList();
        Assert.NotEmpty(smallCells);
        Assert.NotEmpty(largeCells);
        Assert.All(smallCells, i => Assert.Equal(8, grid.Stride[i]));
        Assert.Contains(largeCells, i => grid.Stride[i] == 16); // its 5-stride anchor (80 px) fits 96 px best
        Assert.DoesNotContain(largeCells, i => grid.Stride[i] == 8);
        Assert.All(smallCells.Concat(largeCells), i => Assert.True(grid.CenterX[i] > 20 && grid.CenterY[i] > 20));
    }

    [Fact]
    public void Training_IsSeeded_AndAResumedRunEndsExactlyWhereAnUninterruptedOneDoes()
    {
        var rng = new Random(4);
        var samples = Enumerable.Range(0, 6).Select(_ =>
        {
            var px = new byte[96 * 96 * 3];
            rng.NextBytes(px);
            int x = rng.Next(0, 50), y = rng.Next(0, 50);
            for (int yy = y; yy < y + 40; yy++) for (int xx = x; xx < x + 40; xx++) { int o = (yy * 96 + xx) * 3; px[o] = 250; px[o + 1] = 10; px[o + 2] = 10; }
            return new BoxSample(new RgbImage(96, 96, px), [new TrainBox(0, new BoxF(x, y, x + 40, y + 40))]);
        }).ToList();
        var options = new DetectorTrainOptions { Epochs = 2, BatchSize = 3, InputSize = 96, Seed = 5 };
        var model = Sized(1, 96);

        var a = new DetectorTrainer(options).Train(model, samples[..4], samples[4..], Path.Combine(_dir, "a"));
        var b = new DetectorTrainer(options).Train(model, samples[..4], samples[4..], Path.Combine(_dir, "b"));
        Assert.Equal(a.History.Select(h => h.TrainLoss), b.History.Select(h => h.TrainLoss));

        using var cts = new CancellationTokenSource();
        var stopAfterFirst = new StopAfterFirstEpoch(cts);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            new DetectorTrainer(options, stopAfterFirst).Train(model, samples[..4], samples[4..], Path.Combine(_dir, "c"), cts.Token));
        var resumed = new DetectorTrainer(options).Train(model, samples[..4], samples[4..], Path.Combine(_dir, "c"));
        Assert.Equal(a.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
        var head = NanoDetGraph.Levels(a.Model)[0].WeightName;
        Assert.Equal(a.Model.Graph.Initializers.First(t => t.Name == head).ToFloats(), resumed.Model.Graph.Initializers.First(t => t.Name == head).ToFloats());
        Assert.NotEqual(model.Graph.Initializers.First(t => t.Name == head).ToFloats(), a.Model.Graph.Initializers.First(t => t.Name == head).ToFloats());
    }

    private sealed class StopAfterFirstEpoch(CancellationTokenSource cts) : IFineTuneObserver
    {
        public void OnEpochEnd(FineTuneEpoch epoch) => cts.Cancel();
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
