namespace Lookout.Core.Inference.Detectors;

/// <summary>The 80 COCO detection classes in the standard 0-based order both catalog detectors emit.</summary>
public static class CocoLabels
{
    public static IReadOnlyList<string> All { get; } =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle",
        "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange",
        "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch", "potted plant", "bed",
        "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven",
        "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    /// <summary>
    /// The COCO class a user's class name is, if any: the same name ignoring case, with '_' or '-' read as a space
    /// ("potted_plant"), or a plain plural ("chairs"). Null for anything else: a guess would start a class from the
    /// wrong weights.
    /// </summary>
    public static int? Matching(string name)
    {
        var n = name.Trim().Replace('_', ' ').Replace('-', ' ');
        foreach (var candidate in n.EndsWith('s') && n.Length > 2 ? new[] { n, n[..^1] } : [n])
        {
            int id = IndexOf(candidate);
            if (id >= 0) return id;
        }
        return null;
    }

    /// <summary>Class ids for label names (case-insensitive); an unknown name is a user error listing close names.</summary>
    public static IReadOnlySet<int> Resolve(IEnumerable<string> names)
    {
        var ids = new HashSet<int>();
        foreach (var raw in names)
        {
            var name = raw.Trim();
            if (name.Length == 0) continue;
            int id = IndexOf(name);
            if (id < 0)
            {
                var close = All.Where(l => l.Contains(name, StringComparison.OrdinalIgnoreCase) || name.Contains(l, StringComparison.OrdinalIgnoreCase)).ToList();
                throw new ArgumentException($"unknown class '{name}'" + (close.Count > 0 ? $" (did you mean {string.Join(", ", close)}?)" : "") +
                    "; classes are the 80 COCO names, e.g. person, cat, dog, car.");
            }
            ids.Add(id);
        }
        return ids;
    }

    /// <summary>The class id of a COCO name (case-insensitive), or -1.</summary>
    private static int IndexOf(string name)
    {
        for (int i = 0; i < All.Count; i++)
            if (string.Equals(All[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
