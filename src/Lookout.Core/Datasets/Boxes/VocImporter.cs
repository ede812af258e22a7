using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// Pascal VOC XML (also CVAT's and Label Studio's VOC exports): one <c>.xml</c> per image (in <c>Annotations/</c> or
/// beside the images) with <c>filename</c>, <c>size</c> and <c>object/name</c> + <c>bndbox</c> (1-based pixel corners,
/// kept as written). Images are found beside the XML, in <c>JPEGImages/</c> or <c>images/</c>. Classes come from
/// <c>labels.txt</c> (CVAT) when present, so a name outside it is an unknown class; otherwise from the names seen, sorted.
/// </summary>
public static class VocImporter
{
    public static bool Looks(string dir) => ImageSizes.Files(dir, "*.xml").Any();

    public static BoxDataset Import(string dir)
    {
        var errors = new List<BoxImportError>();
        var declared = ReadLabels(dir);
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var images = new List<BoxedImage>();
        foreach (var xml in ImageSizes.Files(dir, "*.xml").Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(dir, xml);
            XDocument doc;
            try { doc = XDocument.Load(xml); }
            catch (XmlException e) { errors.Add(new(rel, "not valid XML: " + e.Message)); continue; }
            var ann = doc.Root;
            if (ann is null || ann.Name.LocalName != "annotation") { errors.Add(new(rel, "not a VOC annotation (no <annotation> root)")); continue; }
            var fileName = (string?)ann.Element("filename") ?? Path.GetFileNameWithoutExtension(xml);
            var image = FindImage(dir, xml, fileName);
            if (image is null) { errors.Add(new(rel, $"missing image '{fileName}'")); continue; }
            var (w, h, error) = ImageSizes.Read(image);
            if (error is not null) { errors.Add(new(rel, error)); continue; }
            var boxes = new List<LabeledBox>();
            int k = 0;
            foreach (var obj in ann.Elements("object"))
            {
                k++;
                var where = $"{rel}: object {k}";
                var label = ((string?)obj.Element("name"))?.Trim() ?? "";
                if (label.Length == 0) { errors.Add(new(where, "object has no <name>")); continue; }
                if (declared is not null && !declared.Contains(label)) { errors.Add(new(where, $"unknown class '{label}' (not in labels.txt)")); continue; }
                var bb = obj.Element("bndbox");
                float? V(string n) => float.TryParse((string?)bb?.Element(n), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
                if (V("xmin") is not { } x1 || V("ymin") is not { } y1 || V("xmax") is not { } x2 || V("ymax") is not { } y2)
                { errors.Add(new(where, "bndbox needs numeric xmin, ymin, xmax, ymax")); continue; }
                var (box, boxError) = BoxChecks.Validate(new BoxF(x1, y1, x2, y2), w, h);
                if (boxError is not null) { errors.Add(new(where, boxError)); continue; }
                seen.Add(label);
                boxes.Add(new LabeledBox(label, box!.Value));
            }
            images.Add(new BoxedImage(image, w, h, boxes, BoxGroups.Of(Path.GetRelativePath(dir, image))));
        }
        return new BoxDataset(BoxFormat.Voc, declared ?? seen.ToList(), images, errors);
    }

    /// <summary>Writes one VOC XML per image into <c>Annotations/</c> (images stay where they are) plus labels.txt.</summary>
    public static void Write(BoxDataset data, string outDir)
    {
        var annDir = Path.Combine(outDir, "Annotations");
        Directory.CreateDirectory(annDir);
        File.WriteAllLines(Path.Combine(outDir, "labels.txt"), data.Classes);
        var imgDir = Path.Combine(outDir, "JPEGImages");
        Directory.CreateDirectory(imgDir);
        foreach (var img in data.Images)
        {
            var name = Path.GetFileName(img.Path);
            File.Copy(img.Path, Path.Combine(imgDir, name), overwrite: true);
            string F(float v) => v.ToString("0.##", CultureInfo.InvariantCulture);
            var doc = new XElement("annotation",
                new XElement("filename", name),
                new XElement("size", new XElement("width", img.Width), new XElement("height", img.Height), new XElement("depth", 3)),
                img.Boxes.Select(b => new XElement("object", new XElement("name", b.Label), new XElement("difficult", 0),
                    new XElement("bndbox", new XElement("xmin", F(b.Box.X1)), new XElement("ymin", F(b.Box.Y1)),
                        new XElement("xmax", F(b.Box.X2)), new XElement("ymax", F(b.Box.Y2))))));
            doc.Save(Path.Combine(annDir, Path.ChangeExtension(name, ".xml")));
        }
    }

    private static List<string>? ReadLabels(string dir)
    {
        var path = Path.Combine(dir, "labels.txt");
        return File.Exists(path)
            ? File.ReadAllLines(path).Select(l => l.Split(':')[0].Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).Distinct(StringComparer.Ordinal).ToList()
            : null;
    }

    private static string? FindImage(string dir, string xml, string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var xmlDir = Path.GetDirectoryName(xml)!;
        foreach (var folder in new[] { xmlDir, Path.Combine(dir, "JPEGImages"), Path.Combine(dir, "images"), Path.Combine(Path.GetDirectoryName(xmlDir) ?? dir, "JPEGImages"), dir })
        {
            var exact = Path.Combine(folder, Path.GetFileName(fileName));
            if (File.Exists(exact)) return exact;
            if (Directory.Exists(folder) && ImageSizes.FindByStem(folder, stem) is { } byStem) return byStem;
        }
        return null;
    }
}
