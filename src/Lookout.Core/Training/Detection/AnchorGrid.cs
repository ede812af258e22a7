namespace Lookout.Core.Training.Detection;

/// <summary>
/// The cells of NanoDet's three levels at one input size, in output order (stride 8 row-major, then 16, then 32):
/// centre <c>stride·(x+0.5, y+0.5)</c>, as <see cref="Inference.Detectors.NanoDetDecoder"/> decodes them.
/// </summary>
public sealed class AnchorGrid
{
    public static readonly int[] Strides = [8, 16, 32];

    public AnchorGrid(int inputSize)
    {
        InputSize = inputSize;
        var cx = new List<float>(); var cy = new List<float>(); var s = new List<float>(); var level = new List<int>();
        for (int l = 0; l < Strides.Length; l++)
        {
            int stride = Strides[l], grid = inputSize / stride;
            LevelStart.Add(cx.Count);
            for (int y = 0; y < grid; y++)
                for (int x = 0; x < grid; x++)
                {
                    cx.Add(stride * (x + 0.5f)); cy.Add(stride * (y + 0.5f)); s.Add(stride); level.Add(l);
                }
        }
        (CenterX, CenterY, Stride, Level) = (cx.ToArray(), cy.ToArray(), s.ToArray(), level.ToArray());
    }

    public int InputSize { get; }
    public float[] CenterX { get; }
    public float[] CenterY { get; }
    public float[] Stride { get; }
    public int[] Level { get; }
    public List<int> LevelStart { get; } = [];
    public int Count => CenterX.Length;
}
