using Lookout.Core.Imaging;

namespace Lookout.Core.Watch.Motion;

/// <summary>The motion stage: decides whether a frame is worth running the model on.</summary>
public interface IMotionGate
{
    /// <param name="time">The frame's source time (the hold after motion is measured in it).</param>
    MotionResult Check(RgbImage frame, TimeSpan time);
}

/// <summary>
/// <see cref="Pass"/>: send the frame to the model. <see cref="Motion"/>: this frame itself changed enough;
/// <see cref="ChangedFraction"/>: the share of (downscaled) pixels that changed.
/// </summary>
public readonly record struct MotionResult(bool Pass, bool Motion, double ChangedFraction);

/// <summary>Motion gating off: every frame goes to the model.</summary>
public sealed class NoMotionGate : IMotionGate
{
    public MotionResult Check(RgbImage frame, TimeSpan time) => new(true, true, 1.0);
}
