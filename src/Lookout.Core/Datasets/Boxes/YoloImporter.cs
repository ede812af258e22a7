using System.Globalization;
using Lookout.Core.Imaging;
using YamlDotNet.RepresentationModel;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// YOLO (Ultralytics, and the YOLO exports of Label Studio and CVAT): class names in <c>data.yaml</c>
/// (<c>names:</c> list or id map), <c>classes.txt</c> or <c>obj.names</c>; every image under the folder, its boxes in
/// the <c>.txt</c> of the same stem beside it or in the parallel <c>labels/</c> folder (<c>images/x.jpg</c> ↔
/// <c>labels/x.txt</c>); a line is <c>class cx cy w h</c> normalised to 0..1. An image with no label file, or an
/// empty one, is a background image.
/// </summary>
public static class YoloImporter
{
    public static readonly string[] ClassFiles = ["data.yaml", "dataset.yaml", "classes.txt", "obj.names"];

    public static bool Looks(string dir) =>
        ClassFiles.Any(f => File.Exists(Path.Combine(dir, f))) || Directory.Exists(Path.Combine(dir, "labels"));

    public static BoxDataset Import(string dir)
    {
        var errors = new List<BoxImportError>();
        var classes = ReadClasses(dir) ?? throw new LookoutException(
            $"no YOLO class names in {dir}: expected one of {string.Join(", ", ClassFiles)}");
        var images = new List<BoxedImage>();
        var usedLabels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var image in ImageSizes.Files(dir).Where(ImageSizes.IsImage).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(dir, image);
            var labelFile = LabelFileFor(dir, image);
            if (labelFile is not null) usedLabels.Add(Path.GetFullPath(labelFile));
            if (NotReviewed(rel, labelFile)) continue;
            var (w, h, error) = ImageSizes.Read(image);
            if (error is not null) { errors.Add(new(rel, error)); continue; }
            var boxes = labelFile is null ? [] : ReadBoxes(labelFile, Path.GetRelativePath(dir, labelFile), classes, w, h, errors);
            images.Add(new BoxedImage(image, w, h, boxes, BoxGroups.Of(rel)));
        }
        // A label file no image claims is an annotation whose picture is missing.
        foreach (var txt in ImageSizes.Files(dir, "*.txt").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(txt);
            if (ClassFiles.Contains(name, StringComparer.OrdinalIgnoreCase) || usedLabels.Contains(Path.GetFullPath(txt))) continue;
            if (!IsLabelPath(dir, txt)) continue;
            errors.Add(new(Path.GetRelativePath(dir, txt), "missing image: no image file with this name"));
        }
        return new BoxDataset(BoxFormat.Yolo, classes, images, errors);
    }

    /// <summary>Writes a dataset as YOLO: images copied flat into <c>images/</c>, boxes into <c>labels/</c>, names into data.yaml.</summary>
    public static void Write(BoxDataset data, string outDir)
    {
        Directory.CreateDirectory(Path.Combine(outDir, "images"));
        Directory.CreateDirectory(Path.Combine(outDir, "labels"));
        File.WriteAllText(Path.Combine(outDir, "data.yaml"),
            "names:\n" + string.Concat(data.Classes.Select(c => $"  - \"{c.Replace("\"", "\\\"")}\"\n")));
        var ids = data.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
        foreach (var img in data.Images)
        {
            var name = Path.GetFileName(img.Path);
            File.Copy(img.Path, Path.Combine(outDir, "images", name), overwrite: true);
            var lines = img.Boxes.Select(b => Line(ids[b.Label], b.Box, img.Width, img.Height));
            File.WriteAllLines(Path.Combine(outDir, "labels", Path.ChangeExtension(name, ".txt")), lines);
        }
    }

    /// <summary>One label-file line: <c>class cx cy w h</c>, normalised to the image's display size.</summary>
    public static string Line(int classId, BoxF box, int width, int height) =>
        string.Join(' ', new[] { classId.ToString(CultureInfo.InvariantCulture) }.Concat(
            new[] { box.CenterX / width, box.CenterY / height, box.Width / width, box.Height / height }
                .Select(v => v.ToString("0.######", CultureInfo.InvariantCulture))));

    /// <summary>A studio picture nobody has reviewed: in <c>_unlabelled/</c> with no label file, or anywhere in <c>_excluded/</c>.</summary>
    private static bool NotReviewed(string relativePath, string? labelFile)
    {
        var top = relativePath.Replace('\\', '/').Split('/')[0];
        return top == FolderLayout.ExcludedFolder || (top == FolderLayout.UnlabelledFolder && labelFile is null);
    }

    private static bool IsLabelPath(string dir, string txt)
    {
        var rel = Path.GetRelativePath(dir, txt).Replace('\\', '/');
        return rel.StartsWith("labels/", StringComparison.Ordinal) || rel.Contains("/labels/", StringComparison.Ordinal)
            || Directory.EnumerateFiles(Path.GetDirectoryName(txt)!).Any(ImageSizes.IsImage);
    }

    private static string? LabelFileFor(string dir, string image)
    {
        var beside = Path.ChangeExtension(image, ".txt");
        if (File.Exists(beside)) return beside;
        // images/a/b.jpg -> labels/a/b.txt: the last "images" folder in the path becomes "labels".
        var rel = Path.GetRelativePath(dir, image).Replace('\\', '/').Split('/');
        int at = Array.LastIndexOf(rel, "images");
        if (at < 0) return null;
        rel[at] = "labels";
        var parallel = Path.ChangeExtension(Path.Combine(dir, Path.Combine(rel)), ".txt");
        return File.Exists(parallel) ? parallel : null;
    }

    /// <summary>The boxes of one label file, in pixels of a <paramref name="w"/> x <paramref name="h"/> image; bad lines go to <paramref name="errors"/>.</summary>
    internal static List<LabeledBox> ReadBoxes(string file, string rel, IReadOnlyList<string> classes, int w, int h, List<BoxImportError> errors)
    {
        var boxes = new List<LabeledBox>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(file))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var where = $"{rel}:{lineNo}";
            if (parts.Length != 5) { errors.Add(new(where, $"expected 'class cx cy w h', got {parts.Length} fields")); continue; }
            if (!int.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            { errors.Add(new(where, $"class id '{parts[0]}' is not a number")); continue; }
            if (id < 0 || id >= classes.Count) { errors.Add(new(where, $"unknown class {id} (the dataset has {classes.Count} classes, 0..{classes.Count - 1})")); continue; }
            var v = new float[4];
            bool ok = true;
            for (int k = 0; k < 4; k++) ok &= float.TryParse(parts[k + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out v[k]);
            if (!ok) { errors.Add(new(where, "a coordinate is not a number")); continue; }
            var box = BoxF.FromCenter(v[0] * w, v[1] * h, v[2] * w, v[3] * h);
            var (checkedBox, error) = BoxChecks.Validate(box, w, h);
            if (error is not null) { errors.Add(new(where, error)); continue; }
            boxes.Add(new LabeledBox(classes[id], checkedBox!.Value));
        }
        return boxes;
    }

    private static IReadOnlyList<string>? ReadClasses(string dir)
    {
        foreach (var f in ClassFiles)
        {
            var path = Path.Combine(dir, f);
            if (!File.Exists(path)) continue;
            if (f.EndsWith(".yaml", StringComparison.Ordinal)) { if (FromYaml(path) is { } names) return names; continue; }
            return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        }
        return null;
    }

    private static IReadOnlyList<string>? FromYaml(string path)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path)) yaml.Load(reader);
        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) return null;
        if (!root.Children.TryGetValue(new YamlScalarNode("names"), out var names)) return null;
        return names switch
        {
            YamlSequenceNode seq => seq.Children.Select(n => ((YamlScalarNode)n).Value ?? "").ToList(),
            YamlMappingNode map => map.Children.OrderBy(kv => int.Parse(((YamlScalarNode)kv.Key).Value!, CultureInfo.InvariantCulture))
                .Select(kv => ((YamlScalarNode)kv.Value).Value ?? "").ToList(),
            _ => null,
        };
    }
}
