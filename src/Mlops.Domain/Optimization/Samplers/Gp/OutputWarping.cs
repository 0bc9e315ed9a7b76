namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>How objective values are reshaped before the GP sees them (every option preserves their order).</summary>
public enum OutputWarping
{
    /// <summary>Standardise only.</summary>
    None,

    /// <summary>A Yeo-Johnson power transform with its exponent fitted by maximum likelihood, then standardise.</summary>
    PowerTransform,
}

/// <summary>The output transforms behind <see cref="OutputWarping"/>.</summary>
internal static class OutputTransform
{
    public static double[] Apply(double[] values, OutputWarping warping)
    {
        var y = Standardise(values);
        return warping switch
        {
            OutputWarping.PowerTransform => Standardise(YeoJohnson(y, FitYeoJohnson(y))),
            _ => y,
        };
    }

    public static double[] Standardise(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        var scale = variance > 0 ? Math.Sqrt(variance) : 1;
        return values.Select(v => (v - mean) / scale).ToArray();
    }

    public static double[] YeoJohnson(double[] y, double lambda) => y.Select(v => YeoJohnson(v, lambda)).ToArray();

    public static double YeoJohnson(double y, double lambda)
    {
        if (y >= 0)
        {
            return Math.Abs(lambda) < 1e-8 ? Math.Log(y + 1) : (Math.Pow(y + 1, lambda) - 1) / lambda;
        }

        return Math.Abs(lambda - 2) < 1e-8 ? -Math.Log(1 - y) : -(Math.Pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
    }

    /// <summary>The exponent maximising the Gaussian log-likelihood of the transformed values (golden-section search).</summary>
    public static double FitYeoJohnson(double[] y)
    {
        // (|y| + 1)^p = exp(p·log(|y| + 1)): the logarithms are computed once, each trial exponent costs one exp per value.
        var logs = y.Select(v => Math.Log(Math.Abs(v) + 1)).ToArray();
        var jacobian = 0.0;
        for (var i = 0; i < y.Length; i++)
        {
            jacobian += Math.Sign(y[i]) * logs[i];
        }

        var t = new double[y.Length];
        double LogLikelihood(double lambda)
        {
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                t[i] = y[i] >= 0
                    ? (Math.Abs(lambda) < 1e-8 ? logs[i] : (Math.Exp(lambda * logs[i]) - 1) / lambda)
                    : (Math.Abs(lambda - 2) < 1e-8 ? -logs[i] : -(Math.Exp((2 - lambda) * logs[i]) - 1) / (2 - lambda));
                sum += t[i];
            }

            var mean = sum / t.Length;
            var variance = 0.0;
            for (var i = 0; i < t.Length; i++)
            {
                variance += (t[i] - mean) * (t[i] - mean);
            }

            variance /= t.Length;
            return variance > 0 && double.IsFinite(variance) ? (-0.5 * t.Length * Math.Log(variance)) + ((lambda - 1) * jacobian) : double.NegativeInfinity;
        }

        // The likelihood is concave in λ; 24 golden-section steps narrow [−2, 4] to about 1e-4.
        const double ratio = 0.6180339887498949;
        double a = -2, b = 4;
        var c = b - (ratio * (b - a));
        var d = a + (ratio * (b - a));
        double fc = LogLikelihood(c), fd = LogLikelihood(d);
        for (var i = 0; i < 24; i++)
        {
            if (fc > fd)
            {
                (b, d, fd) = (d, c, fc);
                c = b - (ratio * (b - a));
                fc = LogLikelihood(c);
            }
            else
            {
                (a, c, fc) = (c, d, fd);
                d = a + (ratio * (b - a));
                fd = LogLikelihood(d);
            }
        }

        return (a + b) / 2;
    }
}
