using System.Diagnostics;
using System.Globalization;
using Lookout.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Bench;

/// <summary>
/// Training cost of one 3x3 convolution layer on small images (forward + backward) with libtorch's conv2d in the
/// kernels the self-check chose, against the same convolution written as one im2col (unfold) and one large matrix
/// product, interleaved in one run. libtorch's built-in (non-oneDNN) conv2d does one small matrix product per image,
/// which is slow for 28x28 inputs. Usage: convpath [--batch 128] [--size 28] [--in 32] [--out 32] [--rounds 3]
/// </summary>
public static class ConvPathBench
{
    public static void Run(string[] args)
    {
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        int batch = int.Parse(Arg("--batch", "128")), size = int.Parse(Arg("--size", "28")), cin = int.Parse(Arg("--in", "32")),
            cout = int.Parse(Arg("--out", "32")), rounds = int.Parse(Arg("--rounds", "3"));
        var choice = TorchRuntime.EnsureVerified();
        Console.WriteLine($"kernels {TorchKernelSelector.Name(choice.Kernels)}, torch threads {torch.get_num_threads()}, load {FashionMnistSet.LoadAverage()}");
        torch.manual_seed(1);
        using var x = torch.randn(batch, cin, size, size);
        using var w = torch.randn(cout, cin, 3, 3).mul_(0.1).requires_grad_(true);
        double Time(Func<Tensor, Tensor, Tensor> conv)
        {
            var sw = Stopwatch.StartNew();
            using var scope = NewDisposeScope();
            var y = conv(x, w);
            y.square().mean().backward();
            w.grad!.zero_();
            return sw.Elapsed.TotalMilliseconds;
        }
        Tensor Native(Tensor a, Tensor k) => F.conv2d(a, k, padding: [1, 1]);
        Tensor Gemm(Tensor a, Tensor k)
        {
            long n = a.shape[0], h = a.shape[2], ww = a.shape[3];
            var cols = F.unfold(a, 3, padding: 1);                           // [N, Cin*9, H*W]
            var flat = cols.transpose(1, 2).reshape(n * h * ww, -1);         // [N*H*W, Cin*9]: one large product
            var y = torch.matmul(flat, k.reshape(k.shape[0], -1).t());        // [N*H*W, Cout]
            return y.reshape(n, h, ww, k.shape[0]).permute(0, 3, 1, 2);
        }
        using (var _ = torch.no_grad())
        {
            double diff = (Native(x, w) - Gemm(x, w)).abs().max().item<float>();
            Console.WriteLine($"max |native - gemm| = {diff:E2}");
        }
        Time(Native); Time(Gemm);
        using (var a = torch.randn(1024, 1024))
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 10; i++) torch.matmul(a, a).Dispose();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sgemm 1024^2: {2.0 * 1024 * 1024 * 1024 * 10 / sw.Elapsed.TotalSeconds / 1e9:0.0} GFLOP/s"));
        }
        var native = new List<double>(); var gemm = new List<double>();
        for (int r = 0; r < rounds; r++) { native.Add(Time(Native)); gemm.Add(Time(Gemm)); }
        native.Sort(); gemm.Sort();
        if (args.Contains("--onednn"))
        {
            foreach (var (ci, co, s) in new[] { (3, 32, 28), (16, 32, 28), (32, 32, 28), (32, 64, 14), (64, 64, 14), (64, 128, 7), (128, 128, 7) })
            {
                using var xs = torch.randn(batch, ci, s, s);
                using var ws = torch.randn(co, ci, 3, 3).mul_(0.1);
                (float[] Y, float[] Dw, double Ms) Run()
                {
                    using var scope = NewDisposeScope();
                    var wv = ws.clone().requires_grad_(true);
                    var sw = Stopwatch.StartNew();
                    var y = F.conv2d(xs, wv, padding: [1, 1]);
                    y.square().mean().backward();
                    double ms = sw.Elapsed.TotalMilliseconds;
                    return (y.data<float>().ToArray(), wv.grad!.data<float>().ToArray(), ms);
                }
                TorchRuntime.TryApply(TorchKernels.Native); var a = Run(); a = Run();
                TorchRuntime.TryApply(TorchKernels.OneDnn); var b = Run(); b = Run();
                TorchRuntime.TryApply(choice.Kernels);
                double Rel(float[] p, float[] q) { double d = 0, m = 1e-12; for (int i = 0; i < p.Length; i++) { d = Math.Max(d, Math.Abs(p[i] - q[i])); m = Math.Max(m, Math.Abs(p[i])); } return d / m; }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {ci}->{co} @{s}: native {a.Ms:0} ms, oneDNN {b.Ms:0} ms; oneDNN rel. error y {Rel(a.Y, b.Y):E1}, dW {Rel(a.Dw, b.Dw):E1}"));
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"conv {cin}->{cout} 3x3 on {batch}x{size}x{size}, forward+backward, median of {rounds}: conv2d {native[rounds / 2]:0} ms, unfold+matmul {gemm[rounds / 2]:0} ms ({native[rounds / 2] / gemm[rounds / 2]:0.0}x); load {FashionMnistSet.LoadAverage()}"));
    }
}
