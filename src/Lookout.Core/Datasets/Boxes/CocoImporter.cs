using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lookout.Core.Imaging;

namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// COCO detection JSON (also Label Studio's and CVAT's "COCO 1.0" exports): <c>images[{id,file_name,width,height}]</c>,
/// <c>annotations[{image_id,category_id,bbox:[x,y,w,h]}]</c>, <c>categories[{id,name}]</c>. Files are looked up
/// relative to the JSON's folder, then its <c>images/</c> sub-folder. Classes keep the categories' order; an image no
/// annotation mentions is a background image. Crowd annotations (<c>iscrowd</c> 1) are regions, not objects: skipped.
/// </summary>
public static class CocoImporter
{
    public static string? FindJson(string dir) =>
        ImageSizes.Files(dir, "*.json").Order(StringComparer.Ordinal)
            .FirstOrDefault(f => IsCocoName(Path.GetFileName(f)));

    /// <summary>The names COCO exports use: instances_*.json, *coco*.json, annotations*.json, Label Studio's result.json.</summary>
    public static bool IsCocoName(string? n) => n is not null && n.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
        && (n.StartsWith("instances", StringComparison.OrdinalIgnoreCase) || n.Contains("coco", StringComparison.OrdinalIgnoreCase)
            || n.StartsWith("annotations", StringComparison.OrdinalIgnoreCase) || n.Equals("result.json", StringComparison.OrdinalIgnoreCase));

    public static BoxDataset Import(string jsonPath)
    {
        var root = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        var name = Path.GetFileName(jsonPath);
        JsonNode doc;
        try { doc = JsonNode.Parse(File.ReadAllText(jsonPath)) ?? throw new LookoutException($"{jsonPath} is empty"); }
        catch (JsonException e) { throw new LookoutException($"{jsonPath} is not valid JSON: {e.Message}"); }
        var errors = new List<BoxImportError>();
        var categories = (doc["categories"] as JsonArray ?? throw new LookoutException($"{jsonPath} has no 'categories': not a COCO detection file"))
            .Select(c => (Id: (long)c!["id"]!, Name: (string)c["name"]!)).ToList();
        var classOf = categories.ToDictionary(c => c.Id, c => c.Name);
        var classes = categories.Select(c => c.Name).Distinct(StringComparer.Ordinal).ToList();

        var images = new Dictionary<long, (string Path, string Rel, int W, int H)>();
        foreach (var img in doc["images"] as JsonArray ?? [])
        {
            long id = (long)img!["id"]!;
            var file = ((string?)img["file_name"] ?? "").Replace('\\', '/');
            var path = Resolve(root, file);
            var (w, h, error) = ImageSizes.Read(path);
            if (error is not null) { errors.Add(new(file, error)); continue; }
            images[id] = (path, Path.GetRelativePath(root, path), w, h);
        }
        var boxes = images.Keys.ToDictionary(k => k, _ => new List<LabeledBox>());
        int index = -1;
        foreach (var a in doc["annotations"] as JsonArray ?? [])
        {
            index++;
            var where = $"{name}: annotations[{index}]";
            if ((int?)a!["iscrowd"] == 1) continue;
            long imageId = (long)a["image_id"]!;
            if (!images.TryGetValue(imageId, out var img))
            {
                // The image's own problem (missing file) is listed once; an id with no image entry at all is this annotation's.
                if (!(doc["images"] as JsonArray ?? []).Any(i => (long)i!["id"]! == imageId)) errors.Add(new(where, $"image_id {imageId} is not in 'images'"));
                continue;
            }
            long cat = (long)a["category_id"]!;
            if (!classOf.TryGetValue(cat, out var label)) { errors.Add(new(where, $"unknown class: category_id {cat} is not in 'categories'")); continue; }
            if (a["bbox"] is not JsonArray { Count: 4 } bb) { errors.Add(new(where, "bbox must be [x, y, width, height]")); continue; }
            float x = (float)bb[0]!, y = (float)bb[1]!, bw = (float)bb[2]!, bh = (float)bb[3]!;
            var (box, error) = BoxChecks.Validate(new BoxF(x, y, x + bw, y + bh), img.W, img.H);
            if (error is not null) { errors.Add(new(where + $" ({img.Rel})", error)); continue; }
            boxes[imageId].Add(new LabeledBox(label, box!.Value));
        }
        var list = images.OrderBy(kv => kv.Value.Rel, StringComparer.Ordinal)
            .Select(kv => new BoxedImage(kv.Value.Path, kv.Value.W, kv.Value.H, boxes[kv.Key], BoxGroups.Of(kv.Value.Rel))).ToList();
        return new BoxDataset(BoxFormat.Coco, classes, list, errors);
    }

    /// <summary>Writes COCO JSON at <paramref name="jsonPath"/> with file names relative to its folder.</summary>
    public static void Write(BoxDataset data, string jsonPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(jsonPath))!;
        var ids = data.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i + 1, StringComparer.Ordinal);
        var images = new JsonArray();
        var annotations = new JsonArray();
        int annId = 0;
        for (int i = 0; i < data.Images.Count; i++)
        {
            var img = data.Images[i];
            images.Add(new JsonObject { ["id"] = i + 1, ["file_name"] = Path.GetRelativePath(dir, img.Path).Replace('\\', '/'), ["width"] = img.Width, ["height"] = img.Height });
            foreach (var b in img.Boxes)
                annotations.Add(new JsonObject
                {
                    ["id"] = ++annId, ["image_id"] = i + 1, ["category_id"] = ids[b.Label], ["iscrowd"] = 0,
                    ["bbox"] = new JsonArray(b.Box.X1, b.Box.Y1, b.Box.Width, b.Box.Height), ["area"] = b.Box.Area,
                });
        }
        var doc = new JsonObject
        {
            ["images"] = images, ["annotations"] = annotations,
            ["categories"] = new JsonArray(data.Classes.Select(c => (JsonNode)new JsonObject { ["id"] = ids[c], ["name"] = c }).ToArray()),
        };
        File.WriteAllText(jsonPath, doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Resolve(string root, string file)
    {
        var direct = Path.Combine(root, file);
        if (File.Exists(direct)) return direct;
        var inImages = Path.Combine(root, "images", file);
        if (File.Exists(inImages)) return inImages;
        var byName = Path.Combine(root, "images", Path.GetFileName(file));
        return File.Exists(byName) ? byName : direct;
    }
}
