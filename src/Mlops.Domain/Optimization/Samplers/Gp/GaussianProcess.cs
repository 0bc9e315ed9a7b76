namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// Kernel hyperparameters of a <see cref="GaussianProcess"/>: one inverse squared length scale per input dimension
/// (large = the function varies fast along it), the signal variance and the observation-noise variance.
/// </summary>
public sealed record GpKernelParameters(IReadOnlyList<double> InverseSquaredLengthScales, double SignalVariance, double NoiseVariance)
{
    /// <summary>Optuna's starting point: unit length scales and signal variance, a little noise.</summary>
    public static GpKernelParameters Default(int dimensions) => new(Enumerable.Repeat(1.0, dimensions).ToArray(), 1.0, 0.01);
}

/// <summary>
/// A zero-mean Gaussian-process regression model with a Matérn 5/2 ARD kernel, for standardised targets (mean 0, unit
/// variance). Continuous inputs are expected in [0, 1]; a categorical input holds its choice index and contributes
/// its inverse squared length scale to the squared distance when two points differ on it (a Hamming factor).
/// <see cref="Fit"/> chooses the hyperparameters by maximising the log marginal likelihood plus weak priors (the ones
/// Optuna's GP sampler uses: a two-sided penalty on each inverse squared length scale around 1, Gamma(2, 1) on the
/// signal variance, Gamma(1.1, 30) on the noise) with analytic gradients.
/// </summary>
public sealed class GaussianProcess
{
    /// <summary>A floor on the noise variance (in standardised units): keeps the Cholesky factor well conditioned.</summary>
    public const double MinimumNoise = 1e-6;

    private const double Sqrt5 = 2.2360679774997896964;

    private static readonly double s_minLogInverseLength = Math.Log(1e-3);
    private static readonly double s_maxLogInverseLength = Math.Log(1e4);
    private static readonly double s_minLogSignal = Math.Log(1e-2);
    private static readonly double s_maxLogSignal = Math.Log(1e2);
    private static readonly double s_minLogNoise = Math.Log(1e-9);
    private static readonly double s_maxLogNoise = Math.Log(2.0);

    private readonly double[] _x;
    private readonly double[] _lambda;
    private readonly bool[] _categorical;
    private readonly double _signal;
    private readonly double[] _cholesky;
    private readonly double[] _alpha;
    private readonly double _jitter;
    private double[]? _columns;

    private GaussianProcess(double[] x, int count, int dimensions, bool[] categorical, GpKernelParameters parameters, double[] cholesky, double jitter, double[] alpha, double logLikelihood)
    {
        _x = x;
        Count = count;
        Dimensions = dimensions;
        _categorical = categorical;
        Parameters = parameters;
        _lambda = [.. parameters.InverseSquaredLengthScales];
        _signal = parameters.SignalVariance;
        _cholesky = cholesky;
        _jitter = jitter;
        _alpha = alpha;
        LogMarginalLikelihood = logLikelihood;
    }

    public GpKernelParameters Parameters { get; }

    public int Count { get; }

    public int Dimensions { get; }

    /// <summary>log p(y | X, θ) of the training data under the model's hyperparameters.</summary>
    public double LogMarginalLikelihood { get; }

    /// <summary>
    /// Fits the hyperparameters (starting from <paramref name="start"/> when given, else from
    /// <see cref="GpKernelParameters.Default"/>) and conditions on the data.
    /// </summary>
    /// <param name="maxEvaluations">Budget of likelihood evaluations for the optimiser.</param>
    public static GaussianProcess Fit(IReadOnlyList<double[]> x, IReadOnlyList<double> y, IReadOnlyList<bool> categorical, GpKernelParameters? start = null, int maxEvaluations = 60)
    {
        var (flat, n, d) = Flatten(x, categorical.Count);
        CheckTargets(y, n);
        var cat = categorical.ToArray();
        var target = y.ToArray();
        var fitter = new LikelihoodFitter(flat, n, d, cat, target);
        var initial = start is not null && start.InverseSquaredLengthScales.Count == d ? start : GpKernelParameters.Default(d);
        var theta = ToTheta(initial);
        var lower = new double[d + 2];
        var upper = new double[d + 2];
        for (var i = 0; i < d; i++)
        {
            lower[i] = s_minLogInverseLength;
            upper[i] = s_maxLogInverseLength;
        }

        (lower[d], upper[d]) = (s_minLogSignal, s_maxLogSignal);
        (lower[d + 1], upper[d + 1]) = (s_minLogNoise, s_maxLogNoise);
        if (n > 0)
        {
            BoundedLbfgs.Minimize(fitter.NegativeLogPosterior, theta, lower, upper, maxEvaluations, gradientTolerance: 1e-4, relativeTolerance: 1e-7);
        }

        return Build(flat, n, d, cat, target, FromTheta(theta, d), null);
    }

    /// <summary>Conditions on the data with fixed hyperparameters (no fitting).</summary>
    public static GaussianProcess Condition(IReadOnlyList<double[]> x, IReadOnlyList<double> y, IReadOnlyList<bool> categorical, GpKernelParameters parameters)
    {
        var (flat, n, d) = Flatten(x, categorical.Count);
        CheckTargets(y, n);
        return Build(flat, n, d, [.. categorical], [.. y], parameters, null);
    }

    /// <summary>
    /// The same kernel conditioned on this model's points plus <paramref name="points"/>, with targets
    /// <paramref name="y"/> for all of them (old points first). Reuses this model's factor: O(n²) per added point.
    /// </summary>
    public GaussianProcess Extend(IReadOnlyList<double[]> points, IReadOnlyList<double> y)
    {
        var (extra, m, _) = Flatten(points, Dimensions);
        CheckTargets(y, Count + m);

        var flat = new double[(Count + m) * Dimensions];
        _x.AsSpan(0, Count * Dimensions).CopyTo(flat);
        extra.CopyTo(flat, Count * Dimensions);
        return Build(flat, Count + m, Dimensions, _categorical, [.. y], Parameters, this);
    }

    /// <summary>Whether the model's training points are the first <see cref="Count"/> of <paramref name="points"/>.</summary>
    public bool IsPrefixOf(IReadOnlyList<double[]> points)
    {
        if (points.Count < Count)
        {
            return false;
        }

        for (var i = 0; i < Count; i++)
        {
            if (points[i].Length != Dimensions || !points[i].AsSpan().SequenceEqual(_x.AsSpan(i * Dimensions, Dimensions)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Posterior mean and variance of the latent function (noise excluded) at a point.</summary>
    public (double Mean, double Variance) Predict(ReadOnlySpan<double> point)
    {
        var k = new double[Count];
        KernelVector(point, k);
        var mean = DenseMath.Dot(k, _alpha);
        DenseMath.ForwardSubstitute(_cholesky, Count, k);
        var variance = _signal - DenseMath.Dot(k, k);
        return (mean, Math.Max(variance, 1e-12 * _signal));
    }

    /// <summary>
    /// Posterior mean and variance with their gradients with respect to the continuous coordinates (categorical
    /// coordinates get 0). <paramref name="work"/> needs 3 × <see cref="Count"/> doubles.
    /// </summary>
    internal (double Mean, double Variance) PredictWithGradient(ReadOnlySpan<double> point, Span<double> meanGradient, Span<double> varianceGradient, Span<double> work)
    {
        var n = Count;
        var d = Dimensions;
        var k = work[..n];
        var q = work.Slice(n, n);
        var dk = work.Slice(2 * n, n);
        SquaredDistances(point, k);
        DenseMath.Matern52WithSlope(k, _signal, dk);

        var mean = DenseMath.Dot(k, _alpha);
        k.CopyTo(q);
        DenseMath.ForwardSubstitute(_cholesky, n, q);
        var variance = _signal - DenseMath.Dot(q, q);
        DenseMath.BackSubstitute(_cholesky, n, q);

        // ∂k_i/∂x_j = dk_i·λ_j·(x_j − x_ij), so ∂μ/∂x_j = λ_j·(x_j·Σ a_i − Σ a_i·x_ij) with a_i = dk_i·α_i; and
        // σ² = s² − kᵀK⁻¹k gives the same form for ∂σ²/∂x_j with b_i = −2·dk_i·(K⁻¹k)_i.
        var a = k; // k is no longer needed: reuse its storage
        var b = q;
        for (var i = 0; i < n; i++)
        {
            a[i] = dk[i] * _alpha[i];
            b[i] = -2 * dk[i] * q[i];
        }

        var sumA = Sum(a);
        var sumB = Sum(b);
        var columns = Columns();
        for (var j = 0; j < d; j++)
        {
            if (_categorical[j])
            {
                meanGradient[j] = 0;
                varianceGradient[j] = 0;
                continue;
            }

            var column = columns.AsSpan(j * n, n);
            meanGradient[j] = _lambda[j] * ((point[j] * sumA) - DenseMath.Dot(a, column));
            varianceGradient[j] = _lambda[j] * ((point[j] * sumB) - DenseMath.Dot(b, column));
        }

        if (variance < 1e-12 * _signal)
        {
            variance = 1e-12 * _signal;
            varianceGradient[..d].Clear();
        }

        return (mean, variance);
    }

    private static double Sum(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    /// <summary>The training inputs by dimension (d rows of n), for vectorised distances to one point.</summary>
    private double[] Columns()
    {
        if (_columns is { } cached)
        {
            return cached;
        }

        var n = Count;
        var d = Dimensions;
        var columns = new double[n * d];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                columns[(j * n) + i] = _x[(i * d) + j];
            }
        }

        return _columns = columns;
    }

    /// <summary>Squared scaled distances from a point to every training point.</summary>
    private void SquaredDistances(ReadOnlySpan<double> point, Span<double> result)
    {
        var n = Count;
        var columns = Columns();
        result.Clear();
        for (var j = 0; j < Dimensions; j++)
        {
            var column = columns.AsSpan(j * n, n);
            if (_categorical[j])
            {
                for (var i = 0; i < n; i++)
                {
                    result[i] += column[i] == point[j] ? 0 : _lambda[j];
                }
            }
            else
            {
                DenseMath.AddScaledSquaredDifference(result, _lambda[j], column, point[j]);
            }
        }
    }

    /// <summary>
    /// Posterior means and variances of many points at once (rows of <paramref name="points"/>, d wide), in blocks
    /// of candidates so the triangular solve runs over long SIMD vectors instead of one short dot product per entry.
    /// </summary>
    internal void PredictMany(ReadOnlySpan<double> points, int count, Span<double> means, Span<double> variances)
    {
        const int maxBlock = 64;
        var n = Count;
        var d = Dimensions;
        var columns = new double[d * maxBlock];
        var v = new double[n * maxBlock];
        var mean = new double[maxBlock];
        var variance = new double[maxBlock];
        for (var start = 0; start < count; start += maxBlock)
        {
            // A short last block is narrowed to a multiple of 16 (four SIMD vectors of up to 4 doubles) and padded
            // with copies of its first point, whose results are dropped.
            var width = Math.Min(maxBlock, count - start);
            var block = Math.Min(maxBlock, (width + 15) / 16 * 16);
            for (var c = 0; c < block; c++)
            {
                var source = start + (c < width ? c : 0);
                for (var j = 0; j < d; j++)
                {
                    columns[(j * block) + c] = points[(source * d) + j];
                }
            }

            Array.Clear(mean);
            for (var i = 0; i < n; i++)
            {
                var row = v.AsSpan(i * block, block);
                row.Clear();
                for (var j = 0; j < d; j++)
                {
                    var column = columns.AsSpan(j * block, block);
                    var xij = _x[(i * d) + j];
                    if (_categorical[j])
                    {
                        for (var c = 0; c < block; c++)
                        {
                            row[c] += column[c] == xij ? 0 : _lambda[j];
                        }
                    }
                    else
                    {
                        DenseMath.AddScaledSquaredDifference(row, _lambda[j], column, xij);
                    }
                }

                DenseMath.Matern52(row, _signal);
                DenseMath.AddScaled(mean.AsSpan(0, block), _alpha[i], row);
            }

            DenseMath.ForwardSubstituteMany(_cholesky, n, v, block);
            Array.Fill(variance, _signal);
            for (var i = 0; i < n; i++)
            {
                var row = v.AsSpan(i * block, block);
                for (var c = 0; c < block; c++)
                {
                    variance[c] -= row[c] * row[c];
                }
            }

            for (var c = 0; c < width; c++)
            {
                means[start + c] = mean[c];
                variances[start + c] = Math.Max(variance[c], 1e-12 * _signal);
            }
        }
    }

    private void KernelVector(ReadOnlySpan<double> point, Span<double> k)
    {
        SquaredDistances(point, k);
        DenseMath.Matern52(k, _signal);
    }

    private static GaussianProcess Build(double[] flat, int n, int d, bool[] categorical, double[] y, GpKernelParameters parameters, GaussianProcess? prefix)
    {
        var lambda = parameters.InverseSquaredLengthScales;
        var signal = parameters.SignalVariance;
        var jitter = prefix?._jitter ?? 0.0;
        while (true)
        {
            var k = new double[n * n];
            var from = 0;
            if (prefix is not null && jitter == prefix._jitter)
            {
                from = prefix.Count;
                for (var i = 0; i < from; i++)
                {
                    prefix._cholesky.AsSpan(i * from, i + 1).CopyTo(k.AsSpan(i * n));
                }
            }

            for (var i = from; i < n; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    var sum = 0.0;
                    for (var c = 0; c < d; c++)
                    {
                        var delta = flat[(i * d) + c] - flat[(j * d) + c];
                        sum += categorical[c] ? (delta == 0 ? 0 : lambda[c]) : lambda[c] * delta * delta;
                    }

                    var r = Math.Sqrt(sum);
                    k[(i * n) + j] = signal * (1 + (Sqrt5 * r) + (5.0 / 3.0 * r * r)) * Math.Exp(-Sqrt5 * r);
                }

                k[(i * n) + i] = signal + parameters.NoiseVariance + jitter;
            }

            if (DenseMath.CholeskyRows(k, n, from))
            {
                var alpha = (double[])y.Clone();
                DenseMath.ForwardSubstitute(k, n, alpha);
                var logDet = 0.0;
                for (var i = 0; i < n; i++)
                {
                    logDet += Math.Log(k[(i * n) + i]);
                }

                var logLikelihood = (-0.5 * DenseMath.Dot(alpha, alpha)) - logDet - (0.5 * n * Math.Log(2 * Math.PI));
                DenseMath.BackSubstitute(k, n, alpha);
                return new GaussianProcess(flat, n, d, categorical, parameters, k, jitter, alpha, logLikelihood);
            }

            jitter = jitter == 0 ? 1e-9 * signal : jitter * 10;
        }
    }

    private static void CheckTargets(IReadOnlyList<double> y, int count)
    {
        if (y.Count != count)
        {
            throw new ArgumentException($"expected {count} targets, got {y.Count}", nameof(y));
        }
    }

    private static (double[] Flat, int N, int D) Flatten(IReadOnlyList<double[]> x, int d)
    {
        var flat = new double[x.Count * d];
        for (var i = 0; i < x.Count; i++)
        {
            if (x[i].Length != d)
            {
                throw new ArgumentException($"point {i} has {x[i].Length} coordinates, expected {d}", nameof(x));
            }

            x[i].CopyTo(flat, i * d);
        }

        return (flat, x.Count, d);
    }

    private static double[] ToTheta(GpKernelParameters p)
    {
        var d = p.InverseSquaredLengthScales.Count;
        var theta = new double[d + 2];
        for (var i = 0; i < d; i++)
        {
            theta[i] = Math.Log(p.InverseSquaredLengthScales[i]);
        }

        theta[d] = Math.Log(p.SignalVariance);
        theta[d + 1] = Math.Log(Math.Max(p.NoiseVariance - MinimumNoise, 1e-9));
        return theta;
    }

    private static GpKernelParameters FromTheta(ReadOnlySpan<double> theta, int d)
    {
        var lambda = new double[d];
        for (var i = 0; i < d; i++)
        {
            lambda[i] = Math.Exp(theta[i]);
        }

        return new GpKernelParameters(lambda, Math.Exp(theta[d]), MinimumNoise + Math.Exp(theta[d + 1]));
    }

    /// <summary>The negative log posterior of the hyperparameters and its gradient, with pairwise distances precomputed.</summary>
    private sealed class LikelihoodFitter
    {
        private readonly int _n;
        private readonly int _d;
        private readonly double[] _y;
        private readonly double[] _pairs; // per pair (i > j), per dimension: squared difference, or 0/1 for a categorical
        private readonly double[] _k;
        private readonly double[] _r;
        private readonly double[] _e;
        private readonly double[] _alpha;
        private readonly double[] _lambda;
        private readonly double[] _scratch;
        private readonly double[] _inverse;

        public LikelihoodFitter(double[] x, int n, int d, bool[] categorical, double[] y)
        {
            _n = n;
            _d = d;
            _y = y;
            _pairs = new double[n * (n - 1) / 2 * d];
            var p = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    for (var c = 0; c < d; c++)
                    {
                        var delta = x[(i * d) + c] - x[(j * d) + c];
                        _pairs[p++] = categorical[c] ? (delta == 0 ? 0 : 1) : delta * delta;
                    }
                }
            }

            _k = new double[n * n];
            _r = new double[n * (n - 1) / 2];
            _e = new double[n * (n - 1) / 2];
            _alpha = new double[n];
            _lambda = new double[d];
            _scratch = new double[n * n];
            _inverse = new double[n * n];
        }

        public double NegativeLogPosterior(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            int n = _n, d = _d;
            for (var c = 0; c < d; c++)
            {
                _lambda[c] = Math.Exp(theta[c]);
            }

            var signal = Math.Exp(theta[d]);
            var noiseRaw = Math.Exp(theta[d + 1]);
            var noise = MinimumNoise + noiseRaw;

            var pair = 0;
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    var sum = 0.0;
                    var offset = pair * d;
                    for (var c = 0; c < d; c++)
                    {
                        sum += _lambda[c] * _pairs[offset + c];
                    }

                    var r = Math.Sqrt(sum);
                    var e = Math.Exp(-Sqrt5 * r);
                    _r[pair] = r;
                    _e[pair++] = e;
                    _k[(i * n) + j] = signal * (1 + (Sqrt5 * r) + (5.0 / 3.0 * r * r)) * e;
                }

                _k[(i * n) + i] = signal + noise;
            }

            if (!DenseMath.Cholesky(_k, n))
            {
                return double.PositiveInfinity;
            }

            _y.CopyTo(_alpha, 0);
            DenseMath.ForwardSubstitute(_k, n, _alpha);
            var quadratic = DenseMath.Dot(_alpha, _alpha);
            var logDet = 0.0;
            for (var i = 0; i < n; i++)
            {
                logDet += Math.Log(_k[(i * n) + i]);
            }

            DenseMath.BackSubstitute(_k, n, _alpha);
            var logLikelihood = (-0.5 * quadratic) - logDet - (0.5 * n * Math.Log(2 * Math.PI));
            var inverse = _inverse;
            DenseMath.InverseFromCholesky(_k, n, _scratch, inverse, lowerOnly: true);

            // ∂LML/∂θ = ½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹ (symmetric, so off-diagonal pairs count twice).
            gradient[..(d + 2)].Clear();
            var signalGradient = 0.0;
            var traceW = 0.0;
            pair = 0;
            for (var i = 0; i < n; i++)
            {
                var ai = _alpha[i];
                var inverseRow = inverse.AsSpan(i * n, n);
                traceW += (ai * ai) - inverseRow[i];
                signalGradient += 0.5 * ((ai * ai) - inverseRow[i]) * signal;
                for (var j = 0; j < i; j++)
                {
                    var w = (ai * _alpha[j]) - inverseRow[j];
                    var r = _r[pair];
                    var e = _e[pair];
                    var kf = signal * (1 + (Sqrt5 * r) + (5.0 / 3.0 * r * r)) * e;
                    signalGradient += w * kf;

                    // ∂k/∂(r²) = −(5/6)·s²·(1 + √5 r)·e^{−√5 r}; ∂(r²)/∂log λ_c = λ_c·Δ²_c.
                    var g = w * (-5.0 / 6.0) * signal * (1 + (Sqrt5 * r)) * e;
                    var offset = pair * d;
                    for (var c = 0; c < d; c++)
                    {
                        gradient[c] += g * _pairs[offset + c];
                    }

                    pair++;
                }
            }

            for (var c = 0; c < d; c++)
            {
                gradient[c] *= _lambda[c];
            }

            gradient[d] = signalGradient;
            gradient[d + 1] = 0.5 * traceW * noiseRaw;

            // Priors (log densities up to constants) and their gradients in log-parameter space.
            var logPrior = 0.0;
            for (var c = 0; c < d; c++)
            {
                logPrior -= (0.1 / _lambda[c]) + (0.1 * _lambda[c]);
                gradient[c] += (0.1 / _lambda[c]) - (0.1 * _lambda[c]);
            }

            logPrior += Math.Log(signal) - signal;
            gradient[d] += 1 - signal;
            logPrior += (0.1 * Math.Log(noise)) - (30 * noise);
            gradient[d + 1] += ((0.1 / noise) - 30) * noiseRaw;

            for (var c = 0; c < d + 2; c++)
            {
                gradient[c] = -gradient[c];
            }

            return -(logLikelihood + logPrior);
        }
    }
}
