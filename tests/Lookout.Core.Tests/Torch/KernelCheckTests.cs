using Lookout.Core.Torch;
using Xunit.Abstractions;

namespace Lookout.Core.Tests.Torch;

public class KernelCheckTests(ITestOutputHelper output)
{
    [Fact]
    public void TheConfigurationInForce_PassesTheCheck_OnThisMachine()
    {
        var choice = TorchRuntime.EnsureVerified();
        output.WriteLine($"kernels: {choice.Kernels}; rejected: {string.Join("; ", choice.Rejected.Select(TorchKernelSelector.Describe))}");
        var again = KernelCheck.Run();
        Assert.True(again.Passed, again.Worst?.ToString());
    }

    [Fact]
    public void ReferenceKernels_AgreeWithHandComputedValues()
    {
        // 1 image, 1 channel 3x3 of 1..9, a 2x2 kernel of ones, stride 1, no padding: each output sums a 2x2 window.
        var shape = new ConvShape(1, 1, 3, 3, 1, 2, 1, 0, 1);
        var x = Enumerable.Range(1, 9).Select(v => (float)v).ToArray();
        var y = ReferenceKernels.Conv(shape, x, [1, 1, 1, 1]);
        Assert.Equal([12.0, 16, 24, 28], y);
        // With g = ones, dL/dw[u,v] sums the inputs each tap touched; dL/dx counts how many windows cover each pixel.
        Assert.Equal([12.0, 16, 24, 28], ReferenceKernels.ConvWeightGrad(shape, x, [1, 1, 1, 1]));
        Assert.Equal([1.0, 2, 1, 2, 4, 2, 1, 2, 1], ReferenceKernels.ConvInputGrad(shape, [1, 1, 1, 1], [1, 1, 1, 1]));
        Assert.Equal([19.0, 22, 43, 50], ReferenceKernels.MatMul([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2));
    }

    [Fact]
    public void RelativeError_TreatsNaNAndShapeMismatchAsFailures()
    {
        Assert.True(double.IsNaN(KernelCheck.RelativeError([float.NaN], [1.0])));
        Assert.True(double.IsNaN(KernelCheck.RelativeError([1f, 2f], [1.0])));
        Assert.Equal(0.5, KernelCheck.RelativeError([1f, 1f], [1.0, 2.0]), 6);
    }
}
