using System.Text.Json;
using Lookout.Core.Inference.Detectors;
using Lookout.Core.Models;
using Lookout.Core.Models.Onnx;
using Lookout.Core.Runs;

namespace Lookout.Core.Studio;

/// <summary>The model that pre-labels the inbox: the project's newest run with an exported classifier (detector runs are the box editor's).</summary>
public sealed record ProjectModel(string Run, string ModelPath, IReadOnlyList<string> Labels);

public static class CurrentModel
{
    public static ProjectModel? Find(StudioProject project)
    {
        var run = new RunStore(project.Workspace.RunsDir).List().LastOrDefault(r => r.HasModel && DetectorModel.TrainedPath(r.Dir) is null);
        if (run is null) return null;
        var path = new RunFolder(run.Id, run.Dir).ModelPath;
        try
        {
            var meta = OnnxReader.ReadMetadata(path);
            var labels = meta.TryGetValue(ModelMetadata.Labels, out var json) ? JsonSerializer.Deserialize<string[]>(json) ?? [] : [];
            return new ProjectModel(run.Id, path, labels);
        }
        catch (Exception e) when (e is IOException or Google.Protobuf.InvalidProtocolBufferException or JsonException) { return null; }
    }
}
