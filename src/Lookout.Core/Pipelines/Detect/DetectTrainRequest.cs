using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Training.Detection;

namespace Lookout.Core.Pipelines.Detect;

/// <summary>What <c>train --task detect</c> is asked to do.</summary>
public sealed record DetectTrainRequest
{
    public required string DataDir { get; init; }
    public required Workspace Workspace { get; init; }
    /// <summary>Null detects the format (<see cref="BoxDatasetImporter.Detect"/>).</summary>
    public BoxFormat? Format { get; init; }
    public DetectorTrainOptions Options { get; init; } = new();
    public double ValFraction { get; init; } = 0.15;
    public double TestFraction { get; init; } = 0.15;
    /// <summary>Also score the untrained class-sized head on the test split, so the report shows what training gained.</summary>
    public bool EvaluateBaseline { get; init; } = true;
}

/// <summary>The plan a detect run writes before any work, so <c>train --resume</c> can continue it.</summary>
public sealed record DetectPlan(string DataDir, BoxFormat Format, DetectorTrainOptions Options, double ValFraction, double TestFraction, bool EvaluateBaseline, string DatasetHash)
{
    public const string FileName = Runs.RunStore.DetectPlanFile;
}
