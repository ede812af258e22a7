using Lookout.Core.Datasets.Boxes;
using Lookout.Core.Evaluation.Detection;
using Lookout.Core.Runs;
using Lookout.Core.Training.Detection;

namespace Lookout.Core.Pipelines.Detect;

/// <summary>A finished detect run: the data it read, the split counts, training history, and the test scores.</summary>
public sealed record DetectTrainResult(
    RunFolder Run,
    BoxDataset Data,
    int TrainImages, int ValImages, int TestImages,
    DetectorTrainResult Training,
    DetectionEvaluation? Test,
    MapResult? Baseline,
    IReadOnlyList<string> Warnings,
    TimeSpan TrainTime);
