using Lookout.Core.Torch;

namespace Lookout.Core.Tests.Torch;

public class TorchKernelSelectorTests
{
    private static readonly TorchKernels[] Preference = [TorchKernels.OneDnn, TorchKernels.Native];
    private static readonly KernelCheckResult Right = new([]);
    private static readonly KernelCheckResult Wrong = new([new KernelMismatch("conv 20->20 k3 s1 p1 on 2x9x9 float32", 0.17), new KernelMismatch("matmul", 1e-3)]);

    [Fact]
    public void PreferredKernelsThatPass_AreKept_WithoutANotice()
    {
        var tried = new List<TorchKernels>();
        var choice = TorchKernelSelector.Choose(Preference, k => { tried.Add(k); return Right; });
        Assert.Equal(TorchKernels.OneDnn, choice.Kernels);
        Assert.False(choice.IsFallback);
        Assert.Equal([TorchKernels.OneDnn], tried); // the fallback is never even applied
    }

    [Fact]
    public void WrongPreferredKernels_FallBack_AndTheNoticeIsOneLineNamingTheWorstProbe()
    {
        var choice = TorchKernelSelector.Choose(Preference, k => k == TorchKernels.OneDnn ? Wrong : Right);
        Assert.Equal(TorchKernels.Native, choice.Kernels);
        Assert.True(choice.IsFallback);
        var notice = TorchKernelSelector.Notice(choice);
        Assert.DoesNotContain('\n', notice);
        Assert.Contains("oneDNN", notice);
        Assert.Contains("conv 20->20", notice); // the worst mismatch, not the first
        Assert.Contains("built-in", notice);
    }

    [Fact]
    public void NaNIsTheWorstMismatch()
    {
        var result = new KernelCheckResult([new KernelMismatch("a", 0.5), new KernelMismatch("b", double.NaN)]);
        Assert.Equal("b", result.Worst!.Probe);
    }

    [Fact]
    public void NoCorrectConfiguration_RefusesWithEveryReason()
    {
        var e = Assert.Throws<LookoutException>(() =>
            TorchKernelSelector.Choose(Preference, k => k == TorchKernels.OneDnn ? Wrong : null));
        Assert.Contains("refuses to train", e.Message);
        Assert.Contains("oneDNN: conv 20->20", e.Message);
        Assert.Contains("cannot be selected", e.Message);
        Assert.Contains("ONNX Runtime", e.Message);
    }
}
