namespace Lookout.Core.Datasets.Boxes;

/// <summary>
/// Reads a box dataset in any supported format. Auto-detection: a COCO JSON (instances*.json, *coco*.json,
/// annotations*.json, result.json) wins, then YOLO (data.yaml, classes.txt, obj.names or a labels/ folder), then VOC
/// (.xml files). A path to a .json file is COCO.
/// </summary>
public static class BoxDatasetImporter
{
    public static BoxFormat? Detect(string path)
    {
        if (File.Exists(path)) return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? BoxFormat.Coco : null;
        if (!Directory.Exists(path)) return null;
        if (CocoImporter.FindJson(path) is not null) return BoxFormat.Coco;
        if (YoloImporter.Looks(path)) return BoxFormat.Yolo;
        if (VocImporter.Looks(path)) return BoxFormat.Voc;
        return null;
    }

    /// <summary>
    /// True when the folder's top level shows box annotations (so <c>train</c> detects rather than classifies): a COCO
    /// JSON, a YOLO class file, or <c>images/</c> + <c>labels/</c>, or VOC's <c>Annotations/</c> or .xml files. Only the
    /// top level is read: a folder of label sub-folders (a classification dataset) is never walked here.
    /// </summary>
    public static bool HasBoxes(string dir)
    {
        try
        {
            var top = Directory.EnumerateFiles(dir, "*", new EnumerationOptions { IgnoreInaccessible = true }).Select(Path.GetFileName).ToList();
            bool Sub(string name) => Directory.Exists(Path.Combine(dir, name));
            return top.Any(f => f!.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && CocoImporter.IsCocoName(f))
                || top.Any(f => YoloImporter.ClassFiles.Contains(f, StringComparer.OrdinalIgnoreCase))
                || (Sub("images") && Sub("labels"))
                || Sub("Annotations") || top.Any(f => f!.EndsWith(".xml", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    public static BoxDataset Import(string path, BoxFormat? format = null)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new LookoutException($"{path} does not exist");
        format ??= Detect(path) ?? throw new LookoutException(
            $"no box annotations found in {path}: expected YOLO (data.yaml or classes.txt + .txt labels), COCO (*.json) or Pascal VOC (*.xml)");
        return format switch
        {
            BoxFormat.Coco => CocoImporter.Import(File.Exists(path) ? path : CocoImporter.FindJson(path)
                ?? throw new LookoutException($"no COCO JSON in {path}")),
            BoxFormat.Yolo => YoloImporter.Import(path),
            BoxFormat.Voc => VocImporter.Import(path),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }

    public static BoxFormat ParseFormat(string name) => name.ToLowerInvariant() switch
    {
        "yolo" => BoxFormat.Yolo,
        "coco" => BoxFormat.Coco,
        "voc" or "pascal" or "pascal-voc" => BoxFormat.Voc,
        _ => throw new ArgumentException($"unknown box format '{name}'; choose yolo, coco or voc"),
    };
}
