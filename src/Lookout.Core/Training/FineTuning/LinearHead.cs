namespace Lookout.Core.Training.FineTuning;

/// <summary>A linear classifier on the embedding as plain data: logits = Weight x + Bias, Weight row-major [Classes, Dim].</summary>
public sealed record LinearHead(int Classes, int Dim, float[] Weight, float[] Bias)
{
    public void Check()
    {
        if (Classes < 2) throw new LookoutException($"A classifier needs at least 2 classes (got {Classes}).");
        if (Weight.Length != Classes * Dim || Bias.Length != Classes)
            throw new LookoutException($"Head shape mismatch: weight {Weight.Length} values for [{Classes},{Dim}], bias {Bias.Length}.");
    }
}
