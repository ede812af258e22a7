using System.Text.Json.Nodes;
using Lookout.Core.Models.Catalog;
using Lookout.Core.Models.TfJs;

namespace Lookout.Core.Tests.Models.TfJs;

public class LoaderTests
{
    [Fact]
    public void DecodesFloat16_IncludingSubnormalsAndInfinity()
    {
        var g = new SyntheticGraph();
        float subnormal = (float)BitConverter.UInt16BitsToHalf(0x0003); // 3 * 2^-24
        g.ConstHalf("h", [1.5f, -0.16662598f, subnormal, float.NegativeInfinity], 4);
        var t = g.Load().Constants["h"];
        Assert.Equal([1.5f, -0.16662598f, subnormal, float.NegativeInfinity], t.Floats!);
        Assert.True(subnormal > 0);
    }

    [Fact]
    public void DecodesUint8Quantization_AsQTimesScalePlusMin()
    {
        var g = new SyntheticGraph();
        g.ConstUint8("q", [0, 1, 255], -1.0, 0.5, 3);
        Assert.Equal([-1f, -0.5f, 126.5f], g.Load().Constants["q"].Floats!);
    }

    [Fact]
    public void WidensInt64ConstantsStoredAsInt32()
    {
        var g = new SyntheticGraph();
        g.ConstInt("shape", [1, 80, -1], [3], declared: "DT_INT64");
        var t = g.Load().Constants["shape"];
        Assert.Equal(TfDType.Int64, t.DType);
        Assert.Equal([1L, 80, -1], t.Ints!);
    }

    [Fact]
    public void DropsControlDependencies_ParsesOutputIndices_SortsTopologically()
    {
        var g = new SyntheticGraph();
        // Listed out of order on purpose: 'late' reads 'split:1' before 'split' is declared.
        g.Op("late", "Relu", ["split:1", "^x"]);
        var x = g.Placeholder("x", 1, 2, 2, 3);
        g.Op("split", "Split", [x]);
        var m = g.Load();
        var late = m.Node("late");
        Assert.Equal([new TfRef("split", 1)], late.Inputs);
        var order = m.Nodes.Select(n => n.Name).ToList();
        Assert.True(order.IndexOf("split") < order.IndexOf("late"));
    }

    [Fact]
    public void ReadsSignatureFromUserDefinedMetadata_AndStripsOutputIndex()
    {
        var g = new SyntheticGraph();
        g.Placeholder("input", 1, 2, 2, 3);
        g.Root["userDefinedMetadata"] = new JsonObject
        {
            ["signature"] = new JsonObject
            {
                ["inputs"] = new JsonObject { ["input:0"] = new JsonObject { ["name"] = "input:0" } },
                ["outputs"] = new JsonObject { ["Identity:0"] = new JsonObject { ["name"] = "Identity:0" } },
            },
        };
        var sig = g.Load().Signature;
        Assert.Equal(["input"], sig.Inputs);
        Assert.Equal(["Identity"], sig.Outputs);
    }

    [Fact]
    public void RejectsShardsWhoseSizeDoesNotMatchTheManifest()
    {
        var g = new SyntheticGraph();
        g.Const("w", [1f, 2f], 2);
        var json = g.Json();
        var e = Assert.Throws<TfJsFormatException>(() => TfJsLoader.Parse(json, _ => [.. g.Weights, 0, 0, 0, 0]));
        Assert.Contains("12 bytes", e.Message);
        Assert.Throws<TfJsFormatException>(() => TfJsLoader.Parse(json, _ => g.Weights[..4]));
    }

    [Theory]
    [InlineData("centernet.json", 277)]
    [InlineData("nanodet.json", 260)]
    [InlineData("blazeface.json", 145)]
    [InlineData("faceres.json", 155)]
    public void LoadsThePretrainedModels_WithEveryConstDecoded(string file, int nonConstNodes)
    {
        var path = Path.Combine(LookoutCache.HumanModels(LookoutCache.Root()), file);
        Assert.True(File.Exists(path), $"{path} missing: run scripts/setup.sh");
        var m = TfJsLoader.Load(path); // throws unless the bytes consumed equal the shard size
        Assert.Equal(nonConstNodes, m.Nodes.Count(n => n.Op != "Const"));
        Assert.All(m.Nodes.Where(n => n.Op == "Const"), n => Assert.True(m.Constants.ContainsKey(n.Name)));
        var nonFinite = m.Constants.Values.Where(t => t.Floats is not null).Sum(t => t.Floats!.Count(v => !float.IsFinite(v)));
        Assert.Equal(file == "nanodet.json" ? 1 : 0, nonFinite); // nanodet's PadV2 fill is -inf
        Assert.NotEmpty(m.Signature.Outputs);
        Assert.All(m.Signature.Outputs, o => Assert.NotNull(m.Find(o)));
    }
}
