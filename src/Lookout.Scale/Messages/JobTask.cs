namespace Lookout.Scale.Messages;

/// <summary>What a bulk job computes per image: the classifier's answer, or its embedding vector.</summary>
public enum JobTask { Classify, Embed }

public static class JobTasks
{
    public static string Name(this JobTask task) => task == JobTask.Embed ? "embed" : "classify";

    public static JobTask Parse(string name) => name.ToLowerInvariant() switch
    {
        "classify" => JobTask.Classify,
        "embed" => JobTask.Embed,
        _ => throw new ArgumentException($"unknown task '{name}' (classify or embed)"),
    };
}
