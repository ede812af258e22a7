using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Lookout.Core.Imaging.Augmentation;

namespace Lookout.Core.Training.FineTuning;

/// <summary>Turns labelled images into uint8 [N,H,W,3] batches and evaluates a network on a whole set.</summary>
internal static class FineTuneBatches
{
    /// <summary>
    /// The batch of items <paramref name="indices"/>. With an augmentation, item i of epoch e draws from
    /// Random(mix(seed, e, i)): the same pixels whatever the batch composition or a resume in between.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Build(IFineTuneData data, IReadOnlyList<int> indices, int height, int width,
        IAugmentation? augmentation, int seed, int epoch)
    {
        int n = indices.Count, bytesPerImage = height * width * 3;
        var pixels = new byte[n * bytesPerImage];
        var labels = new long[n];
        for (int k = 0; k < n; k++)
        {
            int i = indices[k];
            var image = data.Image(i);
            if (augmentation is not null) image = augmentation.Apply(image, new Random(SeedMixer.Mix(seed, epoch, i)));
            if (image.Width != width || image.Height != height)
                throw new LookoutException($"Training image {i} is {image.Width}x{image.Height} but the backbone takes {width}x{height}; " +
                                           "load images with the backbone's PreprocessSpec (or end the augmentation with a resize to it).");
            image.Pixels.AsSpan(0, bytesPerImage).CopyTo(pixels.AsSpan(k * bytesPerImage));
            labels[k] = data.Label(i);
        }
        return (torch.tensor(pixels, dtype: ScalarType.Byte).reshape(n, height, width, 3), torch.tensor(labels, dtype: ScalarType.Int64));
    }

    /// <summary>Mean cross-entropy (no label smoothing: the honest loss) and accuracy over the whole set.</summary>
    public static (double Loss, double Accuracy) Evaluate(FineTuneNetwork net, IFineTuneData data, int batchSize)
    {
        if (data.Count == 0) return (double.NaN, double.NaN);
        double lossSum = 0; long correct = 0;
        using var noGrad = torch.no_grad();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            var idx = Enumerable.Range(start, Math.Min(batchSize, data.Count - start)).ToArray();
            var (x, y) = Build(data, idx, net.InputHeight, net.InputWidth, null, 0, 0);
            var logits = net.Logits(x);
            lossSum += F.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }
}
