using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Lookout.Core.Training.Detection;

/// <summary>The loss terms of one batch (for logs) and their weighted sum (for backward).</summary>
public sealed record DetectionLossValue(Tensor Total, double Quality, double Box, double Distribution, int Positives);

/// <summary>
/// NanoDet's GFL loss: Quality Focal Loss on the class scores (a positive cell's target is the IoU of its predicted box
/// with its truth box, every other score's target is 0; modulated by |σ−target|², summed and divided by the number of
/// positives), plus for positives GIoU loss (×2) and Distribution Focal Loss (×0.25) on the 11-bin side distributions,
/// both weighted by the cell's detached best score.
/// </summary>
public static class DetectionLoss
{
    public const int Bins = 11;

    /// <param name="cls">[B, A, C] class logits.</param>
    /// <param name="reg">[B, A, 4, Bins] side distribution logits.</param>
    public static DetectionLossValue Compute(Tensor cls, Tensor reg, AnchorGrid grid, IReadOnlyList<IReadOnlyList<TrainBox>> truth)
    {
        long batch = cls.shape[0], anchors = cls.shape[1], classes = cls.shape[2];
        var pos = new List<long>(); var gtCls = new List<long>(); var gt = new List<float>(); var centre = new List<float>(); var stride = new List<float>();
        for (int b = 0; b < batch; b++)
        {
            var assigned = AtssAssigner.Assign(grid, truth[b]);
            for (int a = 0; a < anchors; a++)
            {
                if (assigned[a] < 0) continue;
                var t = truth[b][assigned[a]];
                pos.Add(b * anchors + a); gtCls.Add(t.ClassId);
                gt.AddRange([t.Box.X1, t.Box.Y1, t.Box.X2, t.Box.Y2]);
                centre.AddRange([grid.CenterX[a], grid.CenterY[a]]);
                stride.Add(grid.Stride[a]);
            }
        }
        var flatCls = cls.reshape(batch * anchors, classes);
        using var target = torch.zeros(batch * anchors, classes);
        int p = pos.Count;
        Tensor boxLoss = torch.zeros(1), dflLoss = torch.zeros(1);
        if (p > 0)
        {
            using var posIdx = torch.tensor(pos.ToArray());
            using var gtBox = torch.tensor(gt.ToArray()).reshape(p, 4);
            using var c = torch.tensor(centre.ToArray()).reshape(p, 2);
            using var s = torch.tensor(stride.ToArray()).reshape(p, 1);
            var regPos = reg.reshape(batch * anchors, 4, Bins).index_select(0, posIdx);
            using var proj = torch.arange(Bins, dtype: ScalarType.Float32);
            var dist = (F.softmax(regPos, -1) * proj).sum(-1) * s;
            var cx = c[.., 0]; var cy = c[.., 1];
            var pred = torch.stack([cx - dist[.., 0], cy - dist[.., 1], cx + dist[.., 2], cy + dist[.., 3]], 1);
            using (torch.no_grad())
            {
                using var iou = IoU(pred.detach(), gtBox).clamp_min(0);
                using var clsIdx = torch.tensor(gtCls.ToArray());
                target.index_put_(iou, posIdx, clsIdx);
            }
            using var weight = torch.sigmoid(flatCls.index_select(0, posIdx).detach()).max(1).values;
            using var wsum = weight.sum().clamp_min(1e-6);
            boxLoss = ((1 - GIoU(pred, gtBox)) * weight).sum() / wsum * 2.0;
            var tdist = torch.stack([(cx - gtBox[.., 0]), (cy - gtBox[.., 1]), (gtBox[.., 2] - cx), (gtBox[.., 3] - cy)], 1) / s;
            tdist = tdist.clamp(0, Bins - 1 - 0.01);
            var left = tdist.floor().to_type(ScalarType.Int64);
            var right = left + 1;
            var wl = right.to_type(ScalarType.Float32) - tdist;
            var wr = tdist - left.to_type(ScalarType.Float32);
            var logp = F.log_softmax(regPos, -1);
            var dfl = -(logp.gather(2, left.unsqueeze(2)).squeeze(2) * wl + logp.gather(2, right.unsqueeze(2)).squeeze(2) * wr);
            dfl = dfl.mean(new long[] { 1 });
            dflLoss = (dfl * weight).sum() / wsum * 0.25;
        }
        var bce = F.binary_cross_entropy_with_logits(flatCls, target, reduction: nn.Reduction.None);
        var modulator = (torch.sigmoid(flatCls) - target).abs().pow(2);
        var quality = (bce * modulator).sum() / Math.Max(p, 1);
        var total = quality + boxLoss.squeeze() + dflLoss.squeeze();
        return new DetectionLossValue(total, quality.item<float>(), boxLoss.item<float>(), dflLoss.item<float>(), p);
    }

    public static Tensor IoU(Tensor a, Tensor b)
    {
        var (inter, union, _) = Parts(a, b);
        return inter / union.clamp_min(1e-6);
    }

    public static Tensor GIoU(Tensor a, Tensor b)
    {
        var (inter, union, enclose) = Parts(a, b);
        var iou = inter / union.clamp_min(1e-6);
        return iou - (enclose - union) / enclose.clamp_min(1e-6);
    }

    private static (Tensor Inter, Tensor Union, Tensor Enclose) Parts(Tensor a, Tensor b)
    {
        var iw = (torch.minimum(a[.., 2], b[.., 2]) - torch.maximum(a[.., 0], b[.., 0])).clamp_min(0);
        var ih = (torch.minimum(a[.., 3], b[.., 3]) - torch.maximum(a[.., 1], b[.., 1])).clamp_min(0);
        var inter = iw * ih;
        var areaA = (a[.., 2] - a[.., 0]).clamp_min(0) * (a[.., 3] - a[.., 1]).clamp_min(0);
        var areaB = (b[.., 2] - b[.., 0]).clamp_min(0) * (b[.., 3] - b[.., 1]).clamp_min(0);
        var ew = torch.maximum(a[.., 2], b[.., 2]) - torch.minimum(a[.., 0], b[.., 0]);
        var eh = torch.maximum(a[.., 3], b[.., 3]) - torch.minimum(a[.., 1], b[.., 1]);
        return (inter, areaA + areaB - inter, ew * eh);
    }
}
