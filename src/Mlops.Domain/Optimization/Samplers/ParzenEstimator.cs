using System.Numerics;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// A mixture of one kernel per observation plus a prior kernel (centred, as wide as the range), as in Optuna's TPE
/// (Optuna 3.x semantics, written from its documented behaviour). Numeric kernels are normals truncated to the
/// range; categorical kernels put a weight of 1 on the observed choice plus a prior share on every choice. With
/// several axes a kernel is the product of its per-axis kernels (the multivariate estimator).
/// </summary>
internal sealed class ParzenEstimator
{
    private const double Eps = 1e-12;
    private const double InvSqrtTwoPi = 0.39894228040143267794;

    private readonly TpeAxis[] _axes;
    private readonly int _kernels;
    private readonly double[] _logWeights;
    private readonly double[] _cumulativeWeights;

    // Per axis, per kernel, flattened as [axis * kernels + kernel].
    private readonly double[] _mu;
    private readonly double[] _sigma;
    private readonly double[] _invSigma;
    private readonly double[] _logCoefficient;
    private readonly double[] _cdfLow;
    private readonly double[] _cdfHigh;
    private readonly int[] _observedChoice;

    // Per categorical axis: the share of every choice in an observation's kernel, and the logs of a kernel's hit and miss.
    private readonly double[] _choiceShare;
    private readonly double[] _logHit;
    private readonly double[] _logMiss;

    /// <param name="observations">Per axis, the modelled values (categoricals: the choice index) of the first <paramref name="count"/> observations, oldest first.</param>
    public ParzenEstimator(TpeAxis[] axes, double[][] observations, int count, TpeOptions options, bool multivariate)
    {
        _axes = axes;
        _kernels = count + 1;
        var k = _kernels;

        var weights = new double[k];
        if (count > 0)
        {
            var given = options.Weights(count);
            Array.Copy(given, weights, count);
        }

        weights[count] = options.PriorWeight;
        var total = 0.0;
        for (var i = 0; i < k; i++)
        {
            total += weights[i];
        }

        _logWeights = new double[k];
        _cumulativeWeights = new double[k];
        var running = 0.0;
        for (var i = 0; i < k; i++)
        {
            _logWeights[i] = Math.Log(weights[i] / total);
            running += weights[i] / total;
            _cumulativeWeights[i] = running;
        }

        var d = axes.Length;
        _mu = new double[d * k];
        _sigma = new double[d * k];
        _invSigma = new double[d * k];
        _logCoefficient = new double[d * k];
        _cdfLow = new double[d * k];
        _cdfHigh = new double[d * k];
        _observedChoice = new int[d * k];
        _choiceShare = new double[d];
        _logHit = new double[d];
        _logMiss = new double[d];

        for (var a = 0; a < d; a++)
        {
            if (axes[a].IsCategorical)
            {
                FitCategorical(a, observations[a], count, options.PriorWeight);
            }
            else
            {
                FitNumeric(a, observations[a], count, options, multivariate);
            }
        }
    }

    /// <summary>
    /// Draws <paramref name="count"/> points: for each, a kernel by weight, then a value per axis from it. Writes the
    /// internal values (snapped onto the grid) and their modelled values, as [point * axes + axis].
    /// </summary>
    public void Sample(Random random, int count, double[] internals, double[] modelled)
    {
        var d = _axes.Length;
        for (var c = 0; c < count; c++)
        {
            var kernel = PickKernel(random.NextDouble());
            for (var a = 0; a < d; a++)
            {
                var axis = _axes[a];
                var at = (a * _kernels) + kernel;
                double value;
                if (axis.IsCategorical)
                {
                    value = SampleChoice(a, _observedChoice[at], random.NextDouble());
                    modelled[(c * d) + a] = value;
                }
                else
                {
                    var p = _cdfLow[at] + (random.NextDouble() * (_cdfHigh[at] - _cdfLow[at]));
                    var x = Math.Clamp(_mu[at] + (_sigma[at] * StandardNormal.Quantile(p)), axis.Low, axis.High);
                    value = axis.ToInternal(x);
                    modelled[(c * d) + a] = axis.Transform(value);
                }

                internals[(c * d) + a] = value;
            }
        }
    }

    /// <summary>The log density (or log probability) of each of <paramref name="count"/> points given as modelled values.</summary>
    public void LogPdf(double[] modelled, int count, double[] result)
    {
        var d = _axes.Length;
        var terms = new double[_kernels];
        for (var c = 0; c < count; c++)
        {
            // Candidates repeat often on a grid or a small set of choices; their density need not be computed twice.
            var same = SameAsEarlier(modelled, c, d);
            if (same >= 0)
            {
                result[c] = result[same];
                continue;
            }

            _logWeights.CopyTo(terms, 0);
            for (var a = 0; a < d; a++)
            {
                AddLogKernels(a, modelled[(c * d) + a], terms);
            }

            result[c] = LogSumExp(terms);
        }
    }

    private static int SameAsEarlier(double[] modelled, int c, int d)
    {
        for (var earlier = 0; earlier < c; earlier++)
        {
            var same = true;
            for (var a = 0; a < d && same; a++)
            {
                same = modelled[(earlier * d) + a] == modelled[(c * d) + a];
            }

            if (same)
            {
                return earlier;
            }
        }

        return -1;
    }

    private static double LogSumExp(double[] terms)
    {
        var span = terms.AsSpan();
        var width = Vector<double>.Count;
        var i = 0;
        var max = double.NegativeInfinity;
        if (Vector.IsHardwareAccelerated && span.Length >= width)
        {
            var vmax = new Vector<double>(double.NegativeInfinity);
            for (; i <= span.Length - width; i += width)
            {
                vmax = Vector.Max(vmax, new Vector<double>(span[i..]));
            }

            for (var j = 0; j < width; j++)
            {
                max = Math.Max(max, vmax[j]);
            }
        }

        for (; i < span.Length; i++)
        {
            max = Math.Max(max, span[i]);
        }

        if (double.IsNegativeInfinity(max) || double.IsNaN(max))
        {
            return max;
        }

        var sum = 0.0;
        i = 0;
        if (Vector.IsHardwareAccelerated && span.Length >= width)
        {
            var shift = new Vector<double>(max);
            var vsum = Vector<double>.Zero;
            for (; i <= span.Length - width; i += width)
            {
                vsum += Vector.Exp(new Vector<double>(span[i..]) - shift);
            }

            sum = Vector.Sum(vsum);
        }

        for (; i < span.Length; i++)
        {
            sum += Math.Exp(span[i] - max);
        }

        return max + Math.Log(sum);
    }

    private void AddLogKernels(int a, double x, double[] terms)
    {
        var axis = _axes[a];
        var k = _kernels;
        var offset = a * k;
        if (axis.IsCategorical)
        {
            var choice = (int)x;
            var hit = _logHit[a];
            var miss = _logMiss[a];
            for (var i = 0; i < k - 1; i++)
            {
                terms[i] += _observedChoice[offset + i] == choice ? hit : miss;
            }

            terms[k - 1] -= Math.Log(axis.Choices);
            return;
        }

        var mu = _mu.AsSpan(offset, k);
        var invSigma = _invSigma.AsSpan(offset, k);
        var coefficient = _logCoefficient.AsSpan(offset, k);
        if (axis.Step == 0)
        {
            var target = terms.AsSpan();
            var width = Vector<double>.Count;
            var i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var vx = new Vector<double>(x);
                var half = new Vector<double>(0.5);
                for (; i <= k - width; i += width)
                {
                    var z = (vx - new Vector<double>(mu[i..])) * new Vector<double>(invSigma[i..]);
                    var sum = new Vector<double>(target[i..]) + new Vector<double>(coefficient[i..]) - (half * z * z);
                    sum.CopyTo(target[i..]);
                }
            }

            for (; i < k; i++)
            {
                var z = (x - mu[i]) * invSigma[i];
                target[i] += coefficient[i] - (0.5 * z * z);
            }

            return;
        }

        var upper = Math.Min(x + (0.5 * axis.Step), axis.High);
        var lower = Math.Max(x - (0.5 * axis.Step), axis.Low);
        for (var i = 0; i < k; i++)
        {
            var zu = (upper - mu[i]) * invSigma[i];
            var zl = (lower - mu[i]) * invSigma[i];

            double mass;
            var h = zu - zl;
            if (zl > 8.5 || zu < -8.5)
            {
                // The whole step lies beyond 8.5 standard deviations: far below the floor Eps puts under every mass.
                mass = 0;
            }
            else if (h <= 0.1)
            {
                // A step narrow against the kernel: the integral's expansion around the midpoint (Hermite terms up to
                // h^5) is exact to about 1e-7 relative and costs one exponential instead of two erfc.
                var m = 0.5 * (zu + zl);
                var m2 = m * m;
                var h2 = h * h;
                mass = Math.Exp(-0.5 * m2) * InvSqrtTwoPi * h * (1 + ((m2 - 1) * h2 / 24) + (((m2 * m2) - (6 * m2) + 3) * h2 * h2 / 1920));
            }
            else
            {
                // Take the difference in the tail that keeps precision: the upper tail when both ends are above the mean.
                mass = zl > 0 ? StandardNormal.Cdf(-zl) - StandardNormal.Cdf(-zu) : StandardNormal.Cdf(zu) - StandardNormal.Cdf(zl);
            }

            terms[i] += Math.Log(Math.Max(mass, 0) + Eps) + coefficient[i];
        }
    }

    private int PickKernel(double u)
    {
        var cumulative = _cumulativeWeights;
        var lo = 0;
        var hi = cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (u < cumulative[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    private double SampleChoice(int a, int observed, double u)
    {
        var choices = _axes[a].Choices;
        if (observed < 0)
        {
            return Math.Min((int)(u * choices), choices - 1);
        }

        // An observation's kernel: weight 1 on its choice plus the prior share on every choice.
        var share = _choiceShare[a];
        var v = u * (1 + (choices * share));
        return v < 1 ? observed : Math.Min((int)((v - 1) / share), choices - 1);
    }

    private void FitCategorical(int a, double[] observations, int count, double priorWeight)
    {
        var offset = a * _kernels;
        for (var i = 0; i < count; i++)
        {
            _observedChoice[offset + i] = (int)observations[i];
        }

        _observedChoice[offset + count] = -1;
        var choices = _axes[a].Choices;
        var share = priorWeight / (count + 1);
        var norm = 1 + (choices * share);
        _choiceShare[a] = share;
        _logHit[a] = Math.Log((1 + share) / norm);
        _logMiss[a] = Math.Log(share / norm);
    }

    private void FitNumeric(int a, double[] observations, int count, TpeOptions options, bool multivariate)
    {
        var axis = _axes[a];
        var k = _kernels;
        var offset = a * k;
        var low = axis.Low;
        var high = axis.High;
        var range = high - low;
        var mu = _mu.AsSpan(offset, k);
        var sigma = _sigma.AsSpan(offset, k);
        observations.AsSpan(0, count).CopyTo(mu);
        mu[count] = 0.5 * (low + high);

        if (multivariate)
        {
            // Scott-like rule shared by every kernel: shrinks with the number of observations and dimensions.
            sigma.Fill(0.2 * Math.Pow(Math.Max(count, 1), -1.0 / (_axes.Length + 4)) * range);
        }
        else
        {
            NeighbourBandwidths(mu, low, high, options.ConsiderEndpoints, sigma);
        }

        var minSigma = options.ConsiderMagicClip ? range / Math.Min(100.0, 1.0 + k) : Eps;
        for (var i = 0; i < count; i++)
        {
            sigma[i] = Math.Clamp(sigma[i], minSigma, range);
        }

        sigma[count] = range;

        for (var i = 0; i < k; i++)
        {
            var at = offset + i;
            var s = Math.Max(sigma[i], Eps);
            _invSigma[at] = 1.0 / s;
            var cdfLow = BoundCdf((low - mu[i]) / s);
            var cdfHigh = BoundCdf((high - mu[i]) / s);
            _cdfLow[at] = cdfLow;
            _cdfHigh[at] = cdfHigh;
            var accept = cdfHigh - cdfLow;
            _logCoefficient[at] = axis.Step == 0
                ? -Math.Log(s) - StandardNormal.LogSqrtTwoPi - Math.Log(accept)
                : -Math.Log(accept + Eps);
        }
    }

    // Beyond 8.5 standard deviations the CDF is 0 or 1 to double precision next to the other end's value.
    private static double BoundCdf(double z) => z < -8.5 ? 0 : z > 8.5 ? 1 : StandardNormal.Cdf(z);

    /// <summary>
    /// Each kernel (the prior's included) gets the larger distance to its neighbours in sorted order, the range's
    /// ends counting as neighbours; unless endpoints are considered, the outermost kernels use their inner neighbour.
    /// </summary>
    private static void NeighbourBandwidths(Span<double> mu, double low, double high, bool considerEndpoints, Span<double> sigma)
    {
        var n = mu.Length;
        var sorted = mu.ToArray();
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(sorted, order);
        for (var i = 0; i < n; i++)
        {
            var left = sorted[i] - (i == 0 ? low : sorted[i - 1]);
            var right = (i == n - 1 ? high : sorted[i + 1]) - sorted[i];
            sigma[order[i]] = Math.Max(left, right);
        }

        if (!considerEndpoints && n >= 2)
        {
            sigma[order[0]] = sorted[1] - sorted[0];
            sigma[order[n - 1]] = sorted[n - 1] - sorted[n - 2];
        }
    }
}
