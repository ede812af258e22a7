using Lookout.Core.Training.FineTuning;

namespace Lookout.Core.Pipelines.Train;

/// <summary>What a fine-tuning run needs to be resumed: recorded in the run folder as <c>finetune.json</c> before any work.</summary>
public sealed record FineTunePlan(string Backbone, FineTuneOptions Options, bool Augment, string DatasetHash);
