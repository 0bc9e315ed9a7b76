namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// Maximises log expected improvement over the GP coordinates: score uniformly random candidates and clouds of
/// perturbations around the best trials, refine the best few with a bounded quasi-Newton search over the continuous
/// coordinates, then round integer coordinates and try neighbouring integers and every other choice of each
/// categorical coordinate.
/// </summary>
internal sealed class AcquisitionOptimizer(GaussianProcess gp, GpDimension[] dimensions, double best, GpOptions options)
{
    private static readonly double[] s_perturbationScales = [0.2, 0.05, 0.01];

    /// <summary>History size up to which every uniform candidate is scored.</summary>
    private const double ScaleHistory = 30;

    private readonly int _d = dimensions.Length;

    public double[] Maximize(Random random, IReadOnlyList<double[]> centres)
    {
        var d = _d;
        var lengths = gp.Parameters.InverseSquaredLengthScales.Select(l => 1 / Math.Sqrt(l)).ToArray();
        // Scoring a candidate costs O(n²): once the history is long, the clouds around the best trials matter more
        // than more uniform points, so the uniform share shrinks (down to a quarter) as the history grows.
        var global = Math.Max(options.Candidates / 4, (int)(options.Candidates * Math.Min(1.0, ScaleHistory / gp.Count)));
        var count = global + (centres.Count * options.CandidatesPerCenter);
        var points = new double[count * d];
        var c = 0;
        for (var i = 0; i < global; i++, c++)
        {
            for (var j = 0; j < d; j++)
            {
                points[(c * d) + j] = dimensions[j].Snap(dimensions[j].Draw(random));
            }
        }

        foreach (var centre in centres)
        {
            for (var i = 0; i < options.CandidatesPerCenter; i++, c++)
            {
                var scale = s_perturbationScales[i % s_perturbationScales.Length];
                for (var j = 0; j < d; j++)
                {
                    var dimension = dimensions[j];
                    points[(c * d) + j] = dimension.IsCategorical
                        ? (random.NextDouble() < 1.0 / (d + 1) ? dimension.Draw(random) : centre[j])
                        : dimension.Snap(centre[j] + (Gaussian(random) * scale * Math.Min(1, lengths[j])));
                }
            }
        }

        var means = new double[count];
        var variances = new double[count];
        gp.PredictMany(points, count, means, variances);
        var scores = new double[count];
        for (var i = 0; i < count; i++)
        {
            scores[i] = LogExpectedImprovement.Value(means[i], variances[i], best);
            if (double.IsNaN(scores[i]))
            {
                scores[i] = double.NegativeInfinity;
            }
        }

        var order = Enumerable.Range(0, count).OrderByDescending(i => scores[i]).ToArray();
        var bestPoint = points.AsSpan(order[0] * d, d).ToArray();
        var bestScore = scores[order[0]];
        var starts = Math.Min(options.LocalSearchStarts, count);
        for (var s = 0; s < starts; s++)
        {
            var x = points.AsSpan(order[s] * d, d).ToArray();
            var score = Refine(x);
            if (score > bestScore)
            {
                (bestPoint, bestScore) = (x, score);
            }
        }

        return bestPoint;
    }

    /// <summary>Local search from x (updated in place); returns the score at the final, snapped point.</summary>
    private double Refine(double[] x)
    {
        var d = _d;
        var continuous = Enumerable.Range(0, d).Where(j => !dimensions[j].IsCategorical).ToArray();
        if (continuous.Length > 0 && options.LocalSearchEvaluations > 1)
        {
            var work = new double[3 * gp.Count];
            var point = (double[])x.Clone();
            var meanGradient = new double[d];
            var varianceGradient = new double[d];
            var z0 = continuous.Select(j => x[j]).ToArray();
            var lower = new double[continuous.Length];
            var upper = Enumerable.Repeat(1.0, continuous.Length).ToArray();
            double Objective(ReadOnlySpan<double> z, Span<double> gradient)
            {
                for (var k = 0; k < continuous.Length; k++)
                {
                    point[continuous[k]] = z[k];
                }

                var (mean, variance) = gp.PredictWithGradient(point, meanGradient, varianceGradient, work);
                var sigma = Math.Sqrt(variance);
                var u = (best - mean) / sigma;
                var value = Math.Log(sigma) + LogExpectedImprovement.LogH(u);
                var r = LogExpectedImprovement.LogHDerivative(u);
                var dMean = -r / sigma;
                var dVariance = (1 - (r * u)) / (2 * variance);
                for (var k = 0; k < continuous.Length; k++)
                {
                    var j = continuous[k];
                    gradient[k] = -((dMean * meanGradient[j]) + (dVariance * varianceGradient[j]));
                }

                return double.IsFinite(value) ? -value : double.PositiveInfinity;
            }

            BoundedLbfgs.Minimize(Objective, z0, lower, upper, options.LocalSearchEvaluations, gradientTolerance: 1e-7, relativeTolerance: 1e-10);
            for (var k = 0; k < continuous.Length; k++)
            {
                x[continuous[k]] = z0[k];
            }
        }

        for (var j = 0; j < d; j++)
        {
            x[j] = dimensions[j].Snap(x[j]);
        }

        var score = Score(x);

        // One pass over the discrete coordinates: neighbouring integers, every other choice.
        for (var j = 0; j < d; j++)
        {
            var dimension = dimensions[j];
            if (dimension.Distribution is Space.FloatDistribution { Step: null })
            {
                continue;
            }

            var original = x[j];
            var bestValue = original;
            foreach (var candidate in Neighbours(dimension, original))
            {
                x[j] = candidate;
                var candidateScore = Score(x);
                if (candidateScore > score)
                {
                    (score, bestValue) = (candidateScore, candidate);
                }
            }

            x[j] = bestValue;
        }

        return score;
    }

    private static IEnumerable<double> Neighbours(GpDimension dimension, double coordinate)
    {
        if (dimension.IsCategorical)
        {
            for (var choice = 0; choice < dimension.Choices; choice++)
            {
                if (choice != coordinate)
                {
                    yield return choice;
                }
            }

            yield break;
        }

        var value = dimension.Decode(coordinate);
        var step = dimension.Distribution switch
        {
            Space.IntDistribution i => i.Step,
            Space.FloatDistribution f => f.Step ?? 0,
            _ => 0,
        };
        foreach (var neighbour in new[] { value - step, value + step })
        {
            var encoded = dimension.Encode(neighbour);
            if (dimension.Distribution.Contains(neighbour) && encoded != coordinate)
            {
                yield return dimension.Snap(encoded);
            }
        }
    }

    private double Score(double[] x)
    {
        var (mean, variance) = gp.Predict(x);
        var score = LogExpectedImprovement.Value(mean, variance, best);
        return double.IsNaN(score) ? double.NegativeInfinity : score;
    }

    private static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}
