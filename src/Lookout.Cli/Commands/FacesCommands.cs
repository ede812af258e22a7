using System.CommandLine;
using Lookout.Cli.Infrastructure;
using Lookout.Core;
using Lookout.Core.Inference;
using Lookout.Core.Inference.Faces;
using Spectre.Console;

namespace Lookout.Cli.Commands;

/// <summary>
/// <c>lookout faces enroll|list|remove|recognize|calibrate</c>: a face gallery in the workspace's catalog.db;
/// recognize answers "unknown" below the (calibrated or default) similarity threshold.
/// </summary>
public static class FacesCommands
{
    public static Command Create()
    {
        var faces = new Command("faces", "Enrol people's faces and recognise them (unknown faces stay \"unknown\").");
        faces.Subcommands.Add(Enroll());
        faces.Subcommands.Add(List());
        faces.Subcommands.Add(Remove());
        faces.Subcommands.Add(Recognize());
        faces.Subcommands.Add(Calibrate());
        return faces;
    }

    /// <summary>--workspace, else ./.lookout; created when <paramref name="create"/> (enrolling starts a gallery).</summary>
    private static Workspace GalleryWorkspace(ParseResult parse, bool create)
    {
        var ws = new Workspace(parse.GetValue(GlobalOptions.Workspace) ?? Path.Combine(Environment.CurrentDirectory, Workspace.DefaultFolderName));
        if (create) Directory.CreateDirectory(ws.Root);
        else if (!Directory.Exists(ws.Root))
            throw new LookoutException($"no workspace at {ws.Root}; enrol someone first ('lookout faces enroll <name> <photos>') or pass --workspace");
        return ws;
    }

    private static Command Enroll()
    {
        var name = new Argument<string>("name") { Description = "Who the photos show (any name except \"unknown\")." };
        var images = new Argument<string[]>("images") { Description = "Photos, folders or globs; the largest face of each photo is enrolled.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("enroll", "Add a person's face from one or more photos.") { name, images };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var who = FaceGallery.ValidateName(parse.GetValue(name));
            var input = InputFiles.Expand(parse.GetValue(images)!);
            if (input.IsEmpty) throw new LookoutException("no image files matched");
            var ws = GalleryWorkspace(parse, create: true);
            using var analyzer = FaceAnalyzer.Open();
            var outcomes = new FaceService(analyzer, ws.CatalogPath).EnrollFiles(who, input.Files)
                .Concat(input.Skipped.Select(s => new EnrollOutcome(s.Path, null, 0, s.Reason))).ToList();
            int added = outcomes.Count(o => o.Ok);
            if (output.Json)
                output.WriteJson(new
                {
                    name = who, enrolled = added, workspace = ws.Root,
                    photos = outcomes.Select(o => new { file = o.Source, facesSeen = o.FacesSeen, score = o.Face?.Score, box = Box(o.Face), error = o.Error }),
                });
            else
            {
                foreach (var o in outcomes)
                    output.Line(o.Ok
                        ? $"{Markup.Escape(o.Source)}: face {o.Face!.Score:0.00}" + (o.FacesSeen > 1 ? $" [yellow](largest of {o.FacesSeen})[/]" : "")
                        : $"{Markup.Escape(o.Source)}: [red]{Markup.Escape(o.Error!)}[/]");
                output.Line($"enrolled {added} face(s) for [bold]{Markup.Escape(who)}[/] in {Markup.Escape(ws.Root)}");
            }
            if (added == 0) output.Error($"no face enrolled for {who}");
            return Task.FromResult(added > 0 ? ExitCodes.Ok : ExitCodes.Failure);
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Enrolled names and how many faces each has.");
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            using var gallery = FaceGallery.Open(GalleryWorkspace(parse, create: false).CatalogPath);
            var names = gallery.Names();
            if (output.Json) output.WriteJson(names.Select(n => new { name = n.Name, faces = n.Faces, lastAdded = n.LastAdded }));
            else if (names.Count == 0) output.Line("[grey]no faces enrolled[/]");
            else
            {
                var table = new Table().AddColumns("name", "faces", "last added");
                foreach (var n in names) table.AddRow(Markup.Escape(n.Name), n.Faces.ToString(), n.LastAdded.ToString("yyyy-MM-dd HH:mm"));
                output.Render(table);
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "The enrolled name to forget (all its faces)." };
        var command = new Command("remove", "Forget a person's enrolled faces.") { name };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var who = parse.GetValue(name)!;
            using var gallery = FaceGallery.Open(GalleryWorkspace(parse, create: false).CatalogPath);
            int removed = gallery.Remove(who);
            if (removed == 0) throw new LookoutException($"no enrolled faces named '{who}'");
            if (output.Json) output.WriteJson(new { name = who, removed });
            else output.Line($"removed {removed} face(s) of [bold]{Markup.Escape(who)}[/]");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Recognize()
    {
        var image = new Argument<string>("image") { Description = "A photo." };
        var threshold = new Option<float?>("--threshold") { Description = "Similarity needed for a match (0..1); default: the workspace's calibrated value, else 0.5." };
        var annotate = new Option<string?>("--annotate") { Description = "Write the photo with face boxes and names to this .jpg/.png/.webp file." };
        var command = new Command("recognize", "Who is in the photo: enrolled names, or \"unknown\".") { image, threshold, annotate };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            var path = parse.GetValue(image)!;
            if (!File.Exists(path)) throw new LookoutException($"not found: {path}");
            var ws = GalleryWorkspace(parse, create: false);
            using var analyzer = FaceAnalyzer.Open();
            var result = new FaceService(analyzer, ws.CatalogPath).RecognizeFile(Path.GetFullPath(path), parse.GetValue(threshold));
            if (!result.Ok) throw new LookoutException($"{path}: {result.Error}");
            if (parse.GetValue(annotate) is { } target)
                Annotator.Write(result.Source, result.Faces.Select((f, i) =>
                    new Annotation(f.Detection.Box, $"{f.Match.Name} {f.Match.Similarity:0.00}", f.Match.IsKnown ? 1 : 0)), target);
            if (output.Json)
                output.WriteJson(new
                {
                    file = result.Source, width = result.Width, height = result.Height, threshold = result.Threshold,
                    faces = result.Faces.Select(f => new
                    {
                        name = f.Match.Name, similarity = f.Match.Similarity, nearest = f.Match.NearestName,
                        score = f.Detection.Score, box = Box(f.Detection),
                    }),
                });
            else if (result.Faces.Count == 0) output.Line("[grey]no face found[/]");
            else
                foreach (var f in result.Faces)
                    output.Line($"{(f.Match.IsKnown ? "[green]" : "[yellow]")}{Markup.Escape(f.Match.Name)}[/] similarity {f.Match.Similarity:0.00} " +
                        $"(face {f.Detection.Score:0.00} at {f.Detection.Box.X1:0},{f.Detection.Box.Y1:0} {f.Detection.Box.Width:0}x{f.Detection.Box.Height:0})");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command Calibrate()
    {
        var dir = new Argument<string>("dir") { Description = "A folder of person folders: dir/alice/*.jpg, dir/bob/*.jpg (at least one person with two photos, and two people)." };
        var far = new Option<double>("--far") { Description = "Target false-accept rate (0..1).", DefaultValueFactory = _ => 0.01 };
        var save = new Option<bool>("--save") { Description = "Store the threshold in the workspace; recognize uses it from then on." };
        var command = new Command("calibrate", "Pick the match threshold from your own labelled photos and report FAR/FRR.") { dir, far, save };
        CommandRunner.SetHandler(command, (parse, output, _) =>
        {
            using var analyzer = FaceAnalyzer.Open();
            bool store = parse.GetValue(save);
            var ws = GalleryWorkspace(parse, create: store);
            var service = new FaceService(analyzer, ws.CatalogPath);
            var (cal, photos, skipped, people) = service.CalibrateFolders(parse.GetValue(dir)!, parse.GetValue(far));
            if (store)
                service.StoreThreshold(cal.Threshold, $"faces calibrate {Path.GetFullPath(parse.GetValue(dir)!)}: {people} people, {photos - skipped} photos, " +
                    $"FAR {cal.FalseAcceptRate:0.####} FRR {cal.FalseRejectRate:0.####} ({cal.SamePairs} same / {cal.DifferentPairs} different pairs), {DateTimeOffset.UtcNow:O}");
            if (output.Json)
                output.WriteJson(new
                {
                    threshold = cal.Threshold, far = cal.FalseAcceptRate, frr = cal.FalseRejectRate, targetFar = cal.TargetFalseAcceptRate,
                    samePairs = cal.SamePairs, differentPairs = cal.DifferentPairs, people, photos, skipped, saved = store,
                });
            else
                output.Line($"threshold [bold]{cal.Threshold:0.###}[/]: FAR {cal.FalseAcceptRate:P2} on {cal.DifferentPairs} different-person pairs, " +
                    $"FRR {cal.FalseRejectRate:P2} on {cal.SamePairs} same-person pairs ({people} people, {photos - skipped} photos used, {skipped} without a face)" +
                    (store ? $"; saved to {Markup.Escape(ws.Root)}" : "; add --save to use it"));
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static object? Box(FaceDetection? f) =>
        f is null ? null : new { x1 = f.Box.X1, y1 = f.Box.Y1, x2 = f.Box.X2, y2 = f.Box.Y2 };
}
