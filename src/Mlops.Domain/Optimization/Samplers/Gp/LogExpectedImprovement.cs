namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// The logarithm of expected improvement, computed so it stays finite and smooth far from the incumbent (Ament et al.,
/// "Unexpected Improvements to Expected Improvement for Bayesian Optimization", 2023). Plain EI underflows to zero
/// once the improvement is a few standard deviations away, which leaves an acquisition optimiser with a flat surface;
/// its logarithm keeps ranking such points.
/// </summary>
public static class LogExpectedImprovement
{
    private const double InverseSqrt2 = 0.70710678118654752440;
    private const double LogSqrt2Pi = 0.91893853320467274178;
    private const double SqrtHalfPi = 1.2533141373155002512;
    private const double TwoOverSqrtPi = 1.1283791670955125739;
    private const double InverseSqrtPi = 0.56418958354775628695;

    /// <summary>
    /// log EI for minimisation at a point whose posterior is N(<paramref name="mean"/>, <paramref name="variance"/>):
    /// log E[max(best − f, 0)]. Returns −∞ only when the variance is zero and the mean is no better than the best.
    /// </summary>
    public static double Value(double mean, double variance, double best)
    {
        if (!(variance > 0))
        {
            return best > mean ? Math.Log(best - mean) : double.NegativeInfinity;
        }

        var sigma = Math.Sqrt(variance);
        return Math.Log(sigma) + LogH((best - mean) / sigma);
    }

    /// <summary>log h(z) with h(z) = φ(z) + zΦ(z), so that EI = σ·h((best − μ)/σ).</summary>
    public static double LogH(double z)
    {
        if (z > -1)
        {
            return Math.Log(Pdf(z) + (z * Cdf(z)));
        }

        if (z > -40)
        {
            // h(z) = φ(z)·(1 − |z|·√(π/2)·erfcx(|z|/√2)); the bracket is ≈ 1/z², computed without cancellation.
            var w = -z * SqrtHalfPi * Erfcx(-z * InverseSqrt2);
            return LogPdf(z) + Math.Log(1 - w);
        }

        // Asymptotic series h(z) ≈ φ(z)/z²·(1 − 3/z² + 15/z⁴ − 105/z⁶ + 945/z⁸), exact to double precision here.
        var u = 1 / (z * z);
        var series = 1 - (u * (3 - (u * (15 - (u * (105 - (945 * u)))))));
        return LogPdf(z) + Math.Log(u) + Math.Log(series);
    }

    /// <summary>d/dz log h(z) = Φ(z)/h(z), positive and finite everywhere (≈ |z| for very negative z).</summary>
    public static double LogHDerivative(double z)
    {
        if (z > -1)
        {
            var phi = Pdf(z);
            var cdf = Cdf(z);
            return cdf / (phi + (z * cdf));
        }

        if (z > -40)
        {
            // Φ(z)/h(z) = √(π/2)·erfcx(|z|/√2) / (1 − w): the exponential factors cancel exactly.
            var scaled = SqrtHalfPi * Erfcx(-z * InverseSqrt2);
            return scaled / (1 - (-z * scaled));
        }

        // Ratio of the asymptotic series of Φ(z)·|z|/φ(z) and h(z)·z²/φ(z).
        var u = 1 / (z * z);
        var cdfSeries = 1 - (u * (1 - (u * (3 - (u * (15 - (105 * u)))))));
        var hSeries = 1 - (u * (3 - (u * (15 - (u * (105 - (945 * u)))))));
        return -z * cdfSeries / hSeries;
    }

    /// <summary>log Φ(z), accurate in the far left tail.</summary>
    public static double LogCdf(double z)
    {
        if (z > -1)
        {
            return Math.Log(Cdf(z));
        }

        var x = -z * InverseSqrt2;
        return Math.Log(0.5 * Erfcx(x)) - (x * x);
    }

    public static double Pdf(double z) => Math.Exp(LogPdf(z));

    public static double LogPdf(double z) => (-0.5 * z * z) - LogSqrt2Pi;

    /// <summary>Φ(z) to about 1e-15 relative accuracy.</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z * InverseSqrt2);

    /// <summary>erfc(x) = 1 − erf(x), accurate in both tails.</summary>
    public static double Erfc(double x)
    {
        if (x < 0)
        {
            return 2 - Erfc(-x);
        }

        if (x < 0.5)
        {
            return 1 - Erf(x);
        }

        return Math.Exp(-x * x) * Erfcx(x);
    }

    /// <summary>The scaled complementary error function erfcx(x) = exp(x²)·erfc(x), for x ≥ 0.</summary>
    public static double Erfcx(double x)
    {
        if (x < 0.5)
        {
            return Math.Exp(x * x) * (1 - Erf(x));
        }

        if (x < 1.5)
        {
            // exp(x²)·erfc(x) = exp(x²) − (2/√π)·Σ x(2x²)ⁿ/(2n+1)!!, a positive series (no alternation) for the second term.
            var x2 = 2 * x * x;
            var term = x;
            var sum = x;
            for (var n = 1; n < 200; n++)
            {
                term *= x2 / ((2 * n) + 1);
                sum += term;
                if (term < sum * 1e-17)
                {
                    break;
                }
            }

            return Math.Exp(x * x) - (TwoOverSqrtPi * sum);
        }

        // Continued fraction erfcx(x) = (1/√π)·1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated backwards.
        // It converges faster the larger x is: 8 + 170/x² terms keep the relative error under 1e-14 from x = 1.5 on.
        var terms = 8 + (int)(170 / (x * x));
        var tail = x;
        for (var k = terms; k >= 1; k--)
        {
            tail = x + (k * 0.5 / tail);
        }

        return InverseSqrtPi / tail;
    }

    /// <summary>erf(x): for |x| &lt; 1.5 by its Maclaurin series in the non-alternating form erf(x) = (2/√π)·e^{−x²}·Σ x(2x²)ⁿ/(2n+1)!!.</summary>
    private static double Erf(double x)
    {
        if (x < 0)
        {
            return -Erf(-x);
        }

        if (x >= 1.5)
        {
            return 1 - (Math.Exp(-x * x) * Erfcx(x));
        }

        var x2 = 2 * x * x;
        var term = x;
        var sum = x;
        for (var n = 1; n < 200; n++)
        {
            term *= x2 / ((2 * n) + 1);
            sum += term;
            if (term < sum * 1e-17)
            {
                break;
            }
        }

        return TwoOverSqrtPi * Math.Exp(-x * x) * sum;
    }
}
