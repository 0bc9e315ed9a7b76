namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// A small box-constrained quasi-Newton minimiser: L-BFGS directions on the variables not pinned at a bound, a
/// projected backtracking (Armijo) line search, and a stop on a small projected gradient, a stalled objective or an
/// evaluation budget. Used both to fit the kernel (a handful of log-parameters) and to polish acquisition maxima.
/// </summary>
internal static class BoundedLbfgs
{
    /// <summary>Objective and its gradient at x: returns f(x) and writes ∇f(x) into the gradient span.</summary>
    public delegate double Objective(ReadOnlySpan<double> x, Span<double> gradient);

    /// <summary>Minimises from x (updated in place, kept inside [lower, upper]); returns the final objective value.</summary>
    public static double Minimize(
        Objective objective, double[] x, double[] lower, double[] upper, int maxEvaluations,
        int memory = 6, double gradientTolerance = 1e-6, double relativeTolerance = 1e-9)
    {
        var n = x.Length;
        for (var i = 0; i < n; i++)
        {
            x[i] = Math.Clamp(x[i], lower[i], upper[i]);
        }

        var g = new double[n];
        var f = objective(x, g);
        var evaluations = 1;
        if (!double.IsFinite(f))
        {
            return f;
        }

        var sList = new List<double[]>(memory);
        var yList = new List<double[]>(memory);
        var rhoList = new List<double>(memory);
        var direction = new double[n];
        var trial = new double[n];
        var trialGradient = new double[n];
        var alpha = new double[memory];
        var free = new bool[n];
        var stalled = 0;
        var first = true;

        while (evaluations < maxEvaluations)
        {
            var projectedNorm = 0.0;
            for (var i = 0; i < n; i++)
            {
                free[i] = !((x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0));
                if (free[i])
                {
                    projectedNorm = Math.Max(projectedNorm, Math.Abs(g[i]));
                }
            }

            if (projectedNorm < gradientTolerance)
            {
                break;
            }

            // Two-loop recursion on the free variables.
            for (var i = 0; i < n; i++)
            {
                direction[i] = free[i] ? -g[i] : 0;
            }

            for (var k = sList.Count - 1; k >= 0; k--)
            {
                alpha[k] = rhoList[k] * FreeDot(sList[k], direction, free);
                AddFree(direction, -alpha[k], yList[k], free);
            }

            if (sList.Count > 0)
            {
                var last = sList.Count - 1;
                var gamma = FreeDot(sList[last], yList[last], free) / Math.Max(FreeDot(yList[last], yList[last], free), 1e-300);
                if (gamma > 0 && double.IsFinite(gamma))
                {
                    for (var i = 0; i < n; i++)
                    {
                        direction[i] *= gamma;
                    }
                }
            }

            for (var k = 0; k < sList.Count; k++)
            {
                var beta = rhoList[k] * FreeDot(yList[k], direction, free);
                AddFree(direction, alpha[k] - beta, sList[k], free);
            }

            var slope = FreeDot(direction, g, free);
            if (!(slope < 0))
            {
                for (var i = 0; i < n; i++)
                {
                    direction[i] = free[i] ? -g[i] : 0;
                }

                sList.Clear();
                yList.Clear();
                rhoList.Clear();
            }

            // The first step has no curvature information: keep it short, as L-BFGS-B does.
            var step = first ? Math.Min(1.0, 1.0 / Math.Max(projectedNorm, 1e-12)) : 1.0;
            first = false;
            double fTrial;
            var accepted = false;
            while (true)
            {
                var decrease = 0.0;
                for (var i = 0; i < n; i++)
                {
                    trial[i] = Math.Clamp(x[i] + (step * direction[i]), lower[i], upper[i]);
                    decrease += g[i] * (trial[i] - x[i]);
                }

                fTrial = objective(trial, trialGradient);
                evaluations++;
                if (double.IsFinite(fTrial) && fTrial <= f + (1e-4 * decrease))
                {
                    accepted = true;
                    break;
                }

                if (evaluations >= maxEvaluations || step < 1e-10)
                {
                    break;
                }

                step *= double.IsFinite(fTrial) ? 0.5 : 0.1;
            }

            if (!accepted)
            {
                break;
            }

            var s = new double[n];
            var y = new double[n];
            var sy = 0.0;
            var ss = 0.0;
            var yy = 0.0;
            for (var i = 0; i < n; i++)
            {
                s[i] = trial[i] - x[i];
                y[i] = trialGradient[i] - g[i];
                sy += s[i] * y[i];
                ss += s[i] * s[i];
                yy += y[i] * y[i];
            }

            if (sy > 1e-10 * Math.Sqrt(ss * yy))
            {
                if (sList.Count == memory)
                {
                    sList.RemoveAt(0);
                    yList.RemoveAt(0);
                    rhoList.RemoveAt(0);
                }

                sList.Add(s);
                yList.Add(y);
                rhoList.Add(1 / sy);
            }

            var change = f - fTrial;
            Array.Copy(trial, x, n);
            Array.Copy(trialGradient, g, n);
            f = fTrial;
            stalled = change <= relativeTolerance * Math.Max(1, Math.Abs(f)) ? stalled + 1 : 0;
            if (stalled >= 2)
            {
                break;
            }
        }

        return f;
    }

    private static double FreeDot(double[] a, double[] b, bool[] free)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            if (free[i])
            {
                sum += a[i] * b[i];
            }
        }

        return sum;
    }

    private static void AddFree(double[] y, double scale, double[] x, bool[] free)
    {
        for (var i = 0; i < y.Length; i++)
        {
            if (free[i])
            {
                y[i] += scale * x[i];
            }
        }
    }
}
