using Lookout.Core.Datasets;
using Lookout.Core.Training;
using Lookout.Core.Embeddings;
using Lookout.Core.Inference.Rejection;
using Lookout.Core.Models.Heads;

namespace Lookout.Core.Evaluation.OpenSet;

/// <summary>How the images of one class the model never saw were answered.</summary>
public sealed record HeldOutClass(string Label, int Count, int Accepted, string? MostOftenAcceptedAs);

/// <summary>
/// Open-set numbers: on known test images, accuracy without and with rejection (a rejected image counts as not
/// correct) and the share rejected; on held-out classes, the false-accept rate with a Wilson 95% interval.
/// </summary>
public sealed record OpenSetResult(
    IReadOnlyList<string> KnownLabels,
    IReadOnlyList<string> HeldOutLabels,
    int KnownCount,
    double KnownAccuracy,
    Interval KnownAccuracyCi,
    double KnownAccuracyWithRejection,
    Interval KnownAccuracyWithRejectionCi,
    double KnownRejectedRate,
    int UnknownCount,
    int FalseAccepts,
    double FalseAcceptRate,
    Interval FalseAcceptCi,
    IReadOnlyList<HeldOutClass> PerHeldOutClass,
    RejectionThresholds Thresholds);

/// <summary>
/// Measures "unknown" honestly: trains the head without the held-out classes (on cached embeddings, same trainer
/// and options as <c>train</c>), calibrates thresholds on the known classes' validation images, then answers the
/// known test images and every image of the held-out classes.
/// </summary>
public static class OpenSetEvaluator
{
    public static OpenSetResult Evaluate(IReadOnlyList<EmbeddedItem> items, IReadOnlyCollection<string> heldOut, TrainOptions options,
        CalibrationOptions? calibration = null, CancellationToken ct = default)
    {
        var held = new HashSet<string>(heldOut, StringComparer.Ordinal);
        var missing = held.Where(h => !items.Any(i => i.Item.Label == h)).ToList();
        if (missing.Count > 0) throw new LookoutException($"held-out class(es) not in the data: {string.Join(", ", missing)}");
        var known = items.Where(i => i.Item.Split == Split.Train && !held.Contains(i.Item.Label)).Select(i => i.Item.Label)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (known.Count < 2) throw new LookoutException($"open-set evaluation needs at least 2 known classes with training images; {known.Count} left");
        var classOf = known.Select((l, i) => (l, i)).ToDictionary(t => t.l, t => t.i, StringComparer.Ordinal);

        EmbeddingData Data(Split split) => Collect(items.Where(i => i.Item.Split == split && classOf.ContainsKey(i.Item.Label)), classOf);
        var train = Data(Split.Train);
        var val = Data(Split.Val);
        var test = Data(Split.Test);
        if (val.Count == 0) throw new LookoutException("open-set evaluation needs validation images of the known classes to calibrate on");
        if (test.Count == 0) throw new LookoutException("open-set evaluation needs test images of the known classes");
        var unknown = items.Where(i => held.Contains(i.Item.Label)).ToList();

        var fit = HeadTrainer.Fit(train, val, known, options, ct: ct);
        var thresholds = RejectionCalibrator.Fit(fit.Head, train, val, calibration)
            ?? throw new LookoutException("no correctly classified validation image to calibrate on");
        var rejector = new Rejector(thresholds);

        int correct = 0, correctAccepted = 0, rejected = 0;
        for (int i = 0; i < test.Count; i++)
        {
            var p = fit.Head.Probabilities(test.X[i]);
            var d = rejector.Decide(known, p, test.X[i]);
            bool right = d.Predicted == known[test.Y[i]];
            if (right) correct++;
            if (d.Unknown) rejected++;
            else if (right) correctAccepted++;
        }

        var perClass = new List<HeldOutClass>();
        int falseAccepts = 0;
        foreach (var g in unknown.GroupBy(u => u.Item.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var acceptedAs = g.Select(u => rejector.Decide(known, fit.Head.Probabilities(u.Embedding), u.Embedding))
                .Where(d => !d.Unknown).Select(d => d.Predicted).ToList();
            falseAccepts += acceptedAs.Count;
            perClass.Add(new HeldOutClass(g.Key, g.Count(), acceptedAs.Count,
                acceptedAs.GroupBy(a => a).OrderByDescending(x => x.Count()).ThenBy(x => x.Key, StringComparer.Ordinal).FirstOrDefault()?.Key));
        }

        int n = test.Count, u = unknown.Count;
        return new OpenSetResult(known, held.Order(StringComparer.Ordinal).ToList(),
            n, (double)correct / n, ReportBuilder.Wilson(correct, n),
            (double)correctAccepted / n, ReportBuilder.Wilson(correctAccepted, n), (double)rejected / n,
            u, falseAccepts, u == 0 ? double.NaN : (double)falseAccepts / u, ReportBuilder.Wilson(falseAccepts, u),
            perClass, thresholds);
    }

    private static EmbeddingData Collect(IEnumerable<EmbeddedItem> items, Dictionary<string, int> classOf)
    {
        var list = items.ToList();
        return new EmbeddingData(list.Select(i => i.Embedding).ToArray(), list.Select(i => classOf[i.Item.Label]).ToArray());
    }
}
