using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Datasets.Synthetic;
using Lookout.Core.Imaging;

namespace Lookout.Core.Tests.Datasets.Boxes;

/// <summary>YOLO, COCO and VOC in: every bad annotation is reported with its file and reason, nothing else is lost.</summary>
public sealed class BoxImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lookout-boxes-").FullName;

    private string Png(string rel, int w = 100, int h = 80)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Lookout.Core.Datasets.Synthetic.Png.Encode(new RgbImage(w, h, new byte[w * h * 3])));
        return path;
    }

    private void Text(string rel, string text)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Yolo_EachBadLineIsAnError_GoodBoxesAndBackgroundsAreKept()
    {
        Text("data.yaml", "names:\n  - cat\n  - parcel\n");
        Png("images/a.png");
        Png("images/b.png");   // no label file: a background image
        Png("images/c.png");   // a label file that is empty: also background
        Text("labels/a.txt", "0 0.5 0.5 0.2 0.25\n1 0.95 0.5 0.3 0.2\n0 0.5 0.5 0 0.1\n7 0.5 0.5 0.1 0.1\n1 0.25 0.25 0.1 0.1\n");
        Text("labels/c.txt", "");
        Text("labels/gone.txt", "0 0.5 0.5 0.1 0.1\n");

        var d = BoxDatasetImporter.Import(_dir);
        Assert.Equal(BoxFormat.Yolo, d.Format);
        Assert.Equal(["cat", "parcel"], d.Classes);
        Assert.Equal(3, d.Images.Count);
        Assert.Equal(2, d.BackgroundImages);
        var a = d.Images.Single(i => i.Path.EndsWith("a.png"));
        Assert.Equal(2, a.Boxes.Count);
        Assert.Equal(new BoxF(40, 30, 60, 50), a.Boxes[0].Box);
        Assert.Equal("parcel", a.Boxes[1].Label);
        Assert.Collection(d.Errors.OrderBy(e => e.File, StringComparer.Ordinal),
            e => { Assert.Equal("labels/a.txt:2", e.File); Assert.Contains("outside", e.Reason); },
            e => { Assert.Equal("labels/a.txt:3", e.File); Assert.Contains("zero or negative size", e.Reason); },
            e => { Assert.Equal("labels/a.txt:4", e.File); Assert.Contains("unknown class 7", e.Reason); },
            e => { Assert.Equal("labels/gone.txt", e.File); Assert.Contains("missing image", e.Reason); });
    }

    [Fact]
    public void Yolo_StudioFolders_UnreviewedInboxPicturesAndExcludedOnesAreLeftOut_NotTakenAsBackground()
    {
        Text("classes.txt", "person\n");
        Png("_unlabelled/boxed.png");
        Text("_unlabelled/boxed.txt", "0 0.5 0.5 0.2 0.25\n");
        Png("_unlabelled/checked-empty.png"); // reviewed, nothing in it: a background image
        Text("_unlabelled/checked-empty.txt", "");
        Png("_unlabelled/not-yet.png");       // no box file: nobody has looked at it yet
        Png("_excluded/blurry.png");
        Text("_excluded/blurry.txt", "0 0.5 0.5 0.2 0.25\n");
        Png("elsewhere/plain.png");           // outside the studio's folders the YOLO rule holds: a background image

        var d = BoxDatasetImporter.Import(_dir);
        Assert.Equal(["_unlabelled/boxed.png", "_unlabelled/checked-empty.png", "elsewhere/plain.png"],
            d.Images.Select(i => Path.GetRelativePath(_dir, i.Path).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Equal(1, d.BoxCount);
        Assert.Equal(2, d.BackgroundImages);
        Assert.Empty(d.Errors);
    }

    [Fact]
    public void Coco_UnknownCategory_OutsideBox_NegativeSize_MissingImage()
    {
        Png("images/a.png");
        Text("instances.json", """
        {"images":[{"id":1,"file_name":"a.png","width":100,"height":80},{"id":2,"file_name":"missing.png","width":10,"height":10}],
         "categories":[{"id":3,"name":"lamp"},{"id":5,"name":"plant"}],
         "annotations":[
           {"id":1,"image_id":1,"category_id":3,"bbox":[10,10,20,30]},
           {"id":2,"image_id":1,"category_id":9,"bbox":[10,10,20,30]},
           {"id":3,"image_id":1,"category_id":5,"bbox":[90,10,20,30]},
           {"id":4,"image_id":1,"category_id":5,"bbox":[10,10,-5,30]},
           {"id":5,"image_id":2,"category_id":5,"bbox":[1,1,2,2]},
           {"id":6,"image_id":1,"category_id":5,"bbox":[50,40,10,10]}]}
        """);
        Assert.Equal(BoxFormat.Coco, BoxDatasetImporter.Detect(_dir));
        var d = BoxDatasetImporter.Import(_dir);
        Assert.Equal(["lamp", "plant"], d.Classes);
        var a = Assert.Single(d.Images);
        Assert.Equal([new LabeledBox("lamp", new BoxF(10, 10, 30, 40)), new LabeledBox("plant", new BoxF(50, 40, 60, 50))], a.Boxes);
        Assert.Equal(4, d.Errors.Count);
        Assert.Contains(d.Errors, e => e.File == "missing.png" && e.Reason == "missing image");
        Assert.Contains(d.Errors, e => e.File.Contains("annotations[1]") && e.Reason.Contains("unknown class"));
        Assert.Contains(d.Errors, e => e.File.Contains("annotations[2]") && e.Reason.Contains("outside"));
        Assert.Contains(d.Errors, e => e.File.Contains("annotations[3]") && e.Reason.Contains("negative"));
    }

    [Fact]
    public void Voc_LabelsFileMakesUnknownClassesErrors_MissingImageIsReported()
    {
        Png("JPEGImages/a.png");
        Text("labels.txt", "desk\nlaptop\n");
        Text("Annotations/a.xml", """
        <annotation><filename>a.png</filename><size><width>100</width><height>80</height></size>
          <object><name>laptop</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>40</xmax><ymax>60</ymax></bndbox></object>
          <object><name>lamp</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>40</xmax><ymax>60</ymax></bndbox></object>
          <object><name>desk</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>140</xmax><ymax>60</ymax></bndbox></object>
        </annotation>
        """);
        Text("Annotations/b.xml", "<annotation><filename>b.jpg</filename><object><name>desk</name></object></annotation>");
        Assert.Equal(BoxFormat.Voc, BoxDatasetImporter.Detect(_dir));
        var d = BoxDatasetImporter.Import(_dir);
        Assert.Equal(["desk", "laptop"], d.Classes);
        var a = Assert.Single(d.Images);
        Assert.Equal([new LabeledBox("laptop", new BoxF(10, 20, 40, 60))], a.Boxes);
        Assert.Equal(3, d.Errors.Count);
        Assert.Contains(d.Errors, e => e.Reason.Contains("unknown class 'lamp'"));
        Assert.Contains(d.Errors, e => e.Reason.Contains("outside"));
        Assert.Contains(d.Errors, e => e.File == Path.Combine("Annotations", "b.xml") && e.Reason.Contains("missing image"));
    }

    [Fact]
    public void GeneratedScenes_RoundTripThroughCocoAndVoc_SameBoxes()
    {
        var src = Path.Combine(_dir, "yolo");
        var generated = BoxScenesGenerator.Generate(src, new BoxScenesOptions { Scenes = 4, FramesPerScene = 2, Seed = 5, Width = 96, Height = 64 });
        var yolo = BoxDatasetImporter.Import(src);
        Assert.Empty(yolo.Errors);
        AssertSame(generated, yolo, tolerance: 0.01f);

        CocoImporter.Write(yolo, Path.Combine(src, "instances_all.json"));
        var coco = BoxDatasetImporter.Import(Path.Combine(src, "instances_all.json"));
        AssertSame(yolo, coco, tolerance: 1e-3f);

        var vocDir = Path.Combine(_dir, "voc");
        VocImporter.Write(yolo, vocDir);
        var voc = BoxDatasetImporter.Import(vocDir, BoxFormat.Voc);
        AssertSame(yolo, voc, tolerance: 0.01f);

        var yolo2Dir = Path.Combine(_dir, "yolo2");
        YoloImporter.Write(voc, yolo2Dir);
        AssertSame(yolo, BoxDatasetImporter.Import(yolo2Dir), tolerance: 0.02f);
    }

    [Fact]
    public void Groups_FramesOfOneVideoShareAGroup_PhotosDoNot_AndTheSplitKeepsGroupsWhole()
    {
        Assert.Equal(BoxGroups.Of("images/clip_frame_1.png"), BoxGroups.Of("images/clip_frame_22.png"));
        Assert.NotEqual(BoxGroups.Of("images/clip_frame_1.png"), BoxGroups.Of("images/other_frame_1.png"));
        Assert.NotEqual(BoxGroups.Of("images/IMG_0001.jpg"), BoxGroups.Of("images/IMG_0002.jpg"));
        Assert.Equal(BoxGroups.Of("task3/frame_000001.jpg"), BoxGroups.Of("task3/frame_000002.jpg"));

        var images = Enumerable.Range(0, 30).SelectMany(s => Enumerable.Range(0, 3).Select(f =>
            new BoxedImage($"/d/images/s{s}_frame_{f}.png", 10, 10, [], BoxGroups.Of($"images/s{s}_frame_{f}.png")))).ToList();
        images.Add(new BoxedImage("/d/test/x.png", 10, 10, [], BoxGroups.Of("test/x.png")));
        var split = BoxSplit.Assign(images, "/d", seed: 3).Splits;
        foreach (var g in images.GroupBy(i => i.Group)) Assert.Single(g.Select(i => split[i.Path]).Distinct());
        Assert.Equal(Lookout.Core.Datasets.Split.Test, split["/d/test/x.png"]);
        Assert.All(new[] { Lookout.Core.Datasets.Split.Train, Lookout.Core.Datasets.Split.Val, Lookout.Core.Datasets.Split.Test },
            s => Assert.Contains(s, split.Values));
        Assert.Equal(split, BoxSplit.Assign(images, "/d", seed: 3).Splits);
    }

    [Fact]
    public void Split_OfOneVideoAlone_GoesByTime_TrainThenValThenTest_AndSaysSo_WhilePhotosAloneAllTrain()
    {
        // One boxed walk-through (20 frames, names whose numbers are not zero-padded) and one photo: two groups.
        var images = Enumerable.Range(0, 20).Select(f => new BoxedImage($"/d/walk_frame_{f * 500}.png", 10, 10, [], BoxGroups.Of($"walk_frame_{f * 500}.png")))
            .Append(new BoxedImage("/d/IMG_1.jpg", 10, 10, [], BoxGroups.Of("IMG_1.jpg"))).ToList();
        var result = BoxSplit.Assign(images, "/d", seed: 3);
        Assert.Equal(["walk"], result.SplitByTime);
        long Time(string path) => BoxGroups.FrameNumber(path)!.Value;
        var bySplit = images.Where(i => i.Group != BoxGroups.Of("IMG_1.jpg")).GroupBy(i => result.Splits[i.Path]).ToDictionary(g => g.Key, g => g.Select(i => Time(i.Path)).ToList());
        Assert.Equal((14, 3, 3), (bySplit[Lookout.Core.Datasets.Split.Train].Count, bySplit[Lookout.Core.Datasets.Split.Val].Count, bySplit[Lookout.Core.Datasets.Split.Test].Count));
        Assert.True(bySplit[Lookout.Core.Datasets.Split.Train].Max() < bySplit[Lookout.Core.Datasets.Split.Val].Min());
        Assert.True(bySplit[Lookout.Core.Datasets.Split.Val].Max() < bySplit[Lookout.Core.Datasets.Split.Test].Min());
        Assert.Equal(Lookout.Core.Datasets.Split.Train, result.Splits["/d/IMG_1.jpg"]);

        var photos = new[] { "a.jpg", "b.jpg" }.Select(n => new BoxedImage("/d/" + n, 10, 10, [], BoxGroups.Of(n))).ToList();
        var alone = BoxSplit.Assign(photos, "/d", seed: 3);
        Assert.Empty(alone.SplitByTime);
        Assert.All(alone.Splits.Values, s => Assert.Equal(Lookout.Core.Datasets.Split.Train, s));
    }

    private static void AssertSame(BoxDataset expected, BoxDataset actual, float tolerance)
    {
        Assert.Equal(expected.Classes, actual.Classes);
        var byName = actual.Images.ToDictionary(i => Path.GetFileName(i.Path));
        Assert.Equal(expected.Images.Count, actual.Images.Count);
        foreach (var e in expected.Images)
        {
            var a = byName[Path.GetFileName(e.Path)];
            Assert.Equal(e.Boxes.Count, a.Boxes.Count);
            for (int k = 0; k < e.Boxes.Count; k++)
            {
                Assert.Equal(e.Boxes[k].Label, a.Boxes[k].Label);
                Assert.InRange(Math.Abs(e.Boxes[k].Box.X1 - a.Boxes[k].Box.X1) + Math.Abs(e.Boxes[k].Box.Y2 - a.Boxes[k].Box.Y2), 0, tolerance * 2);
            }
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
