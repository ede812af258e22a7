namespace Lookout.Core.Training.FineTuning;

/// <summary>Learning-rate multiplier: linear warm-up to 1, then half a cosine down to 0 at the last step.</summary>
public static class CosineSchedule
{
    /// <param name="step">0-based optimizer step.</param>
    public static double Factor(long step, long warmupSteps, long totalSteps)
    {
        if (warmupSteps > 0 && step < warmupSteps) return (step + 1.0) / warmupSteps;
        long decay = Math.Max(1, totalSteps - warmupSteps);
        double progress = Math.Clamp((double)(step - warmupSteps) / decay, 0, 1);
        return 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
