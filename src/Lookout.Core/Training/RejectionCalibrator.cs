using Lookout.Core.Models.Heads;
using Lookout.Core.Inference.Rejection;

namespace Lookout.Core.Training;

public sealed record CalibrationOptions
{
    /// <summary>
    /// Share of correctly classified known validation images the thresholds accept (the rest sets the bar). With no
    /// examples of "unknown" at training time, this is what can be targeted; the false-accept rate on unseen
    /// classes is measured by <see cref="OpenSetEvaluator"/> (<c>lookout eval --holdout-classes</c>).
    /// </summary>
    public double TargetKeep { get; init; } = 0.95;
    /// <summary>A class needs this many correct validation images for thresholds of its own; fewer use the pooled ones.</summary>
    public int MinPerClass { get; init; } = 8;

    public CalibrationOptions Validate()
    {
        if (TargetKeep is <= 0 or > 1) throw new ArgumentException("TargetKeep must be in (0, 1].", nameof(TargetKeep));
        if (MinPerClass < 1) throw new ArgumentException("MinPerClass must be at least 1.", nameof(MinPerClass));
        return this;
    }
}

/// <summary>
/// Chooses per-class "unknown" thresholds on validation data: centroids come from the training embeddings; the
/// thresholds are low quantiles of the validation images' own-class probability and centroid similarity, so they
/// are set on images the head never trained on. Each of the two tests keeps <c>sqrt(TargetKeep)</c>, so both
/// together keep about <see cref="CalibrationOptions.TargetKeep"/>.
/// </summary>
public static class RejectionCalibrator
{
    /// <returns>The thresholds, or null when validation has no correctly classified image to calibrate on.</returns>
    public static RejectionThresholds? Fit(HeadWeights head, EmbeddingData train, EmbeddingData val, CalibrationOptions? options = null)
    {
        options = (options ?? new CalibrationOptions()).Validate();
        int c = head.Labels.Count, dim = head.InputDim;
        var centroids = Centroids(head, train, c, dim);

        var probs = Enumerable.Range(0, c).Select(_ => new List<float>()).ToArray();
        var sims = Enumerable.Range(0, c).Select(_ => new List<float>()).ToArray();
        for (int i = 0; i < val.Count; i++)
        {
            var p = head.Probabilities(val.X[i]);
            int y = val.Y[i];
            if (HeadForward.ArgMax(p) != y) continue; // errors are the classifier's problem, not the open-set bar
            probs[y].Add(p[y]);
            sims[y].Add(Rejector.Similarity(Rejector.UnitStandardised(val.X[i], head.Mean, head.Std), centroids[y]));
        }
        if (probs.All(l => l.Count == 0)) return null;

        double q = 1 - Math.Sqrt(options.TargetKeep);
        float pooledP = LowBar(probs.SelectMany(l => l), q, Logit, Sigmoid), pooledS = LowBar(sims.SelectMany(l => l), q, v => v, v => v);
        var classes = Enumerable.Range(0, c).Select(j =>
        {
            bool own = probs[j].Count >= options.MinPerClass;
            return new ClassThreshold(head.Labels[j], own ? LowBar(probs[j], q, Logit, Sigmoid) : pooledP,
                own ? LowBar(sims[j], q, v => v, v => v) : pooledS, own ? probs[j].Count : 0, centroids[j]);
        }).ToList();
        return new RejectionThresholds(RejectionThresholds.MethodName, options.TargetKeep, val.Count, head.Mean, head.Std, classes);
    }

    /// <summary>Unit-length mean of the unit-length standardised training embeddings of each class.</summary>
    public static float[][] Centroids(HeadWeights head, EmbeddingData train, int classes, int dim)
    {
        var sum = Enumerable.Range(0, classes).Select(_ => new double[dim]).ToArray();
        for (int i = 0; i < train.Count; i++)
        {
            var u = Rejector.UnitStandardised(train.X[i], head.Mean, head.Std);
            var s = sum[train.Y[i]];
            for (int k = 0; k < dim; k++) s[k] += u[k];
        }
        return sum.Select(s =>
        {
            double n = Math.Sqrt(s.Sum(v => v * v));
            return s.Select(v => n > 0 ? (float)(v / n) : 0f).ToArray();
        }).ToArray();
    }

    /// <summary>
    /// The lower of the empirical q-quantile and a normal prediction bound for one new image
    /// (<c>mean + t_q(n-1) * sd * sqrt(1 + 1/n)</c>, on a transformed scale). With a handful of validation images the
    /// empirical low quantile sits too high (the minimum of 8 is about the 11th percentile) and so does a plain
    /// normal fit, which would reject far more known images than targeted; the prediction bound accounts for the
    /// small sample, and taking the lower keeps the bar from being stricter than the data supports.
    /// </summary>
    internal static float LowBar(IEnumerable<float> values, double q, Func<double, double> to, Func<double, double> from)
    {
        var v = values.ToList();
        float empirical = Quantile(v, q);
        if (v.Count < 2) return empirical;
        var t = v.Select(x => to(x)).ToList();
        double mean = t.Average(), sd = Math.Sqrt(t.Sum(x => (x - mean) * (x - mean)) / (t.Count - 1));
        int n = t.Count;
        return (float)Math.Min(empirical, from(mean + StudentQuantile(q, n - 1) * sd * Math.Sqrt(1 + 1.0 / n)));
    }

    /// <summary>Student-t quantile by the Cornish-Fisher expansion around the normal one (good to ~1% for df >= 3).</summary>
    internal static double StudentQuantile(double p, int df)
    {
        double z = NormalQuantile(p), z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z, v = Math.Max(df, 1);
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
    }

    private static double Logit(double p) { p = Math.Clamp(p, 1e-6, 1 - 1e-6); return Math.Log(p / (1 - p)); }
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Standard normal quantile (Acklam's rational approximation, |error| &lt; 1.2e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        if (p <= 0) return double.NegativeInfinity;
        if (p >= 1) return double.PositiveInfinity;
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }

    /// <summary>Linear-interpolated quantile (type 7); NaN for no values.</summary>
    public static float Quantile(IEnumerable<float> values, double q)
    {
        var v = values.Order().ToArray();
        if (v.Length == 0) return float.NaN;
        double pos = q * (v.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, v.Length - 1);
        return (float)(v[lo] + (v[hi] - v[lo]) * (pos - lo));
    }
}
