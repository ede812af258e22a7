namespace Lookout.Core.Pipelines.Export;

/// <summary>Accuracy on the test split and speed on this machine of one precision.</summary>
public sealed record PrecisionScore(double Accuracy, double MsPerImage);

/// <summary>
/// The rule of <c>export --int8</c>: int8 is kept only when it loses at most one accuracy point on the test split and
/// is faster here; otherwise the float model is written (a smaller file is not worth a worse or slower model).
/// </summary>
public sealed record Int8Decision(bool KeepInt8, string Reason)
{
    public const double MaxAccuracyLoss = 0.01;

    public static Int8Decision Decide(PrecisionScore fp32, PrecisionScore int8)
    {
        double loss = fp32.Accuracy - int8.Accuracy;
        if (loss > MaxAccuracyLoss + 1e-12)
            return new(false, $"int8 loses {loss * 100:0.0} accuracy points (more than {MaxAccuracyLoss * 100:0})");
        if (int8.MsPerImage >= fp32.MsPerImage)
            return new(false, $"int8 is not faster here ({int8.MsPerImage:0.00} vs {fp32.MsPerImage:0.00} ms/image)");
        return new(true, $"int8 is {fp32.MsPerImage / int8.MsPerImage:0.00}x faster, accuracy {(int8.Accuracy - fp32.Accuracy) * 100:+0.0;-0.0;0.0} points");
    }
}
