using Lookout.Core.Datasets;
using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Imaging;
using Lookout.Core.IO;

namespace Lookout.Core.Studio.Boxes;

/// <summary>
/// A picture's boxes as the detector trainer will read them. <see cref="Reviewed"/> is false while the picture has no box
/// file (then it is not part of the training data); true with no boxes means "checked: nothing here" (a background image).
/// </summary>
public sealed record PictureBoxes(long Id, int Width, int Height, bool Reviewed, IReadOnlyList<LabeledBox> Boxes);

/// <summary>
/// Reads and saves the YOLO box file beside a project picture (see <see cref="BoxProject"/>), with the same parser and
/// line format as <see cref="YoloImporter"/>, so what the editor saves is exactly what training reads. Saves are atomic
/// (temp file + rename) and answer the file's previous content, which is all an undo needs.
/// </summary>
public static class BoxLabels
{
    public static PictureBoxes Read(StudioProject project, long id)
    {
        var (file, w, h) = Picture(project, id);
        return ReadFile(project, id, file, w, h);
    }

    /// <summary>The picture to draw on: a JPEG of at most <paramref name="maxSide"/> px (boxes are in the full display size; scale by Width/Height).</summary>
    public static byte[] View(StudioProject project, long id, int maxSide = 1600) => Media.Thumbnailer.View(Picture(project, id).File, maxSide);

    /// <summary>Replaces the picture's boxes (new class names are added to classes.txt); answers what the file held before.</summary>
    public static Task<(PictureBoxes Before, PictureBoxes After)> SaveAsync(StudioProject project, long id, IReadOnlyList<LabeledBox> boxes, CancellationToken ct = default) =>
        project.Locked(() =>
        {
            var (file, w, h) = Picture(project, id);
            var checkedBoxes = new List<LabeledBox>();
            foreach (var b in boxes)
            {
                var label = StudioNames.Check(b.Label);
                var (box, error) = BoxChecks.Validate(b.Box, w, h);
                if (box is null) throw new StudioException($"a '{label}' box cannot be saved: {error}");
                checkedBoxes.Add(new LabeledBox(label, box.Value));
            }
            var before = ReadFile(project, id, file, w, h);
            var classes = BoxProject.EnsureClasses(project, checkedBoxes.Select(b => b.Label).Distinct());
            var ids = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i, StringComparer.Ordinal);
            AtomicFile.WriteAllText(LabelFile(file), string.Concat(checkedBoxes.Select(b => YoloImporter.Line(ids[b.Label], b.Box, w, h) + "\n")));
            return (before, ReadFile(project, id, file, w, h));
        }, ct);

    /// <summary>Removes the box file: the picture is unreviewed again (the undo of a first save).</summary>
    public static Task<PictureBoxes> ClearAsync(StudioProject project, long id, CancellationToken ct = default) => project.Locked(() =>
    {
        var (file, w, h) = Picture(project, id);
        var before = ReadFile(project, id, file, w, h);
        File.Delete(LabelFile(file));
        return before;
    }, ct);

    /// <summary>Which pictures have a box file and how many boxes it holds, by item id (one directory read per folder).</summary>
    public static IReadOnlyDictionary<long, int> ReviewedCounts(StudioProject project, IEnumerable<StudioItem> items)
    {
        var counts = new Dictionary<long, int>();
        foreach (var item in items.Where(i => i.Kind == ItemKind.Image))
        {
            var txt = LabelFile(Path.Combine(project.DataDir, item.Path));
            if (File.Exists(txt)) counts[item.Id] = File.ReadLines(txt).Count(l => l.Trim().Length > 0);
        }
        return counts;
    }

    /// <summary>Saved boxes per class, from the YOLO files beside the pictures (excluded pictures left out; lines that are not boxes skipped).</summary>
    public static IReadOnlyDictionary<string, int> BoxesPerClass(StudioProject project)
    {
        var classes = BoxProject.Classes(project);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var excluded = Path.Combine(project.DataDir, FolderLayout.ExcludedFolder) + Path.DirectorySeparatorChar;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true };
        foreach (var txt in Directory.EnumerateFiles(project.DataDir, "*.txt", options))
        {
            if (txt.StartsWith(excluded, StringComparison.Ordinal) || txt == BoxProject.ClassesFile(project)) continue;
            foreach (var line in File.ReadLines(txt))
            {
                var first = line.AsSpan().Trim();
                int space = first.IndexOf(' ');
                if (space > 0 && int.TryParse(first[..space], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id < classes.Count)
                    counts[classes[id]] = counts.GetValueOrDefault(classes[id]) + 1;
            }
        }
        return counts;
    }

    /// <summary>The picture's file in the data folder and its displayed (EXIF-oriented) size.</summary>
    internal static (string File, int Width, int Height) Picture(StudioProject project, long id)
    {
        if (!BoxProject.IsDetection(project)) throw new StudioException("this project is not a detection project; make it one first", StudioProblem.Conflict);
        var item = ItemQuery.ByIds(project, [id]).FirstOrDefault() ?? throw new StudioException($"no picture {id}", StudioProblem.NotFound);
        if (item.Kind != ItemKind.Image)
            throw new StudioException("boxes can be drawn on photos in the data folder only (video frames live in the workspace, which training does not read)");
        var file = Path.Combine(project.DataDir, item.Path);
        try
        {
            var header = ImageHeader.Read(ImageSource.FromFile(file));
            return (file, header.DisplayWidth, header.DisplayHeight);
        }
        catch (Exception e) when (e is ImageDecodeException or IOException) { throw new StudioException($"picture {id} cannot be read", StudioProblem.NotFound); }
    }

    private static string LabelFile(string image) => Path.ChangeExtension(image, ".txt");

    private static PictureBoxes ReadFile(StudioProject project, long id, string file, int w, int h)
    {
        var txt = LabelFile(file);
        if (!File.Exists(txt)) return new PictureBoxes(id, w, h, false, []);
        var boxes = YoloImporter.ReadBoxes(txt, Path.GetFileName(txt), BoxProject.Classes(project), w, h, []);
        return new PictureBoxes(id, w, h, true, boxes);
    }
}
