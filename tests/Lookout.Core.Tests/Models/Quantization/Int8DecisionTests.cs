using Lookout.Core.Pipelines.Export;

namespace Lookout.Core.Tests.Models.Quantization;

public class Int8DecisionTests
{
    [Theory]
    [InlineData(0.90, 10.0, 0.895, 6.0, true)]   // half a point lost, faster: int8
    [InlineData(0.90, 10.0, 0.89, 6.0, true)]    // exactly one point: still int8
    [InlineData(0.90, 10.0, 0.92, 6.0, true)]    // int8 may even score better
    [InlineData(0.90, 10.0, 0.885, 6.0, false)]  // 1.5 points lost: fp32 however fast int8 is
    [InlineData(0.90, 10.0, 0.90, 10.0, false)]  // as accurate but not faster: fp32
    [InlineData(0.90, 10.0, 0.90, 12.0, false)]  // slower: fp32
    public void KeepsInt8_OnlyWhenWithinOnePointAndFaster(double fp32Acc, double fp32Ms, double int8Acc, double int8Ms, bool keep)
    {
        var d = Int8Decision.Decide(new PrecisionScore(fp32Acc, fp32Ms), new PrecisionScore(int8Acc, int8Ms));
        Assert.Equal(keep, d.KeepInt8);
        Assert.False(string.IsNullOrWhiteSpace(d.Reason));
        if (!keep) Assert.Contains(int8Ms >= fp32Ms && fp32Acc - int8Acc <= 0.01 ? "not faster" : "points", d.Reason);
    }
}
