namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// Bayesian optimisation with a Gaussian process: after <see cref="GpOptions.StartupTrials"/> trials from a
/// space-filling (maximin Latin hypercube) design, each trial fits a Matérn 5/2 GP to the standardised objective values
/// and proposes the point maximising log expected improvement.
/// <list type="bullet">
/// <item>The GP models every unconditional parameter; a conditional parameter is drawn independently at random when
/// active (its effect shows up as noise to the GP).</item>
/// <item>Only completed trials are modelled (a maximised objective negated). Pruned trials are left out, as Optuna's GP
/// sampler does: their last intermediate value is only an upper bound on a learning curve, and on the suite's lc_decay
/// problem modelling it steered the GP away from slow-converging good settings (more epochs, worse results). Failed
/// trials are left out too.</item>
/// <item>A running trial counts as a constant liar: it is added at the GP's own prediction or the average value,
/// whichever is worse, which removes the expected improvement around it, so parallel workers do not propose the same
/// point.</item>
/// <item>With more than one objective it falls back to independent random sampling.</item>
/// </list>
/// Proposals depend only on the seed, the trial number and the history (the kernel fit is warm-started from the
/// previous one, as Optuna's GP sampler does, so a replay in the same order gives the same trials).
/// </summary>
public sealed class GpSampler : ISampler
{
    private const int PurposeDesign = 7101;
    private const int PurposeAcquisition = 7102;
    private const int PurposeIndependent = 7103;
    private const int DesignTries = 8;

    private readonly long _seed;
    private readonly GpOptions _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FitState> _fits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double[][]> _designs = new(StringComparer.Ordinal);

    public GpSampler(long seed, GpOptions? options = null)
    {
        _seed = seed;
        _options = options ?? new GpOptions();
        if (_options.StartupTrials < 1 || _options.Candidates < 1 || _options.LocalSearchStarts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "GP options need at least one startup trial and one candidate.");
        }
    }

    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var space = context.Space;
        var dimensions = space.Parameters.Where(p => p.Condition is null).Select(GpDimension.For).Where(d => !d.IsConstant).ToArray();
        double[]? proposal = null;
        if (context.Directions.Count == 1 && dimensions.Length > 0)
        {
            var history = History.Collect(context, dimensions);
            proposal = history.Count >= _options.StartupTrials
                ? Propose(context, dimensions, history)
                : context.TrialNumber < _options.StartupTrials ? Design(dimensions)[context.TrialNumber] : null;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < dimensions.Length; i++)
        {
            index[dimensions[i].Distribution.Name] = i;
        }

        var independent = TrialRandom.For(_seed, context.TrialNumber, PurposeIndependent);
        return space.Assign((parameter, _) =>
        {
            if (proposal is not null && index.TryGetValue(parameter.Name, out var i))
            {
                return dimensions[i].Decode(proposal[i]);
            }

            var dimension = GpDimension.For(parameter);
            return dimension.Decode(dimension.Draw(independent));
        });
    }

    /// <summary>The startup design: the most spread-out (largest minimum distance) of a few Latin hypercubes.</summary>
    private double[][] Design(GpDimension[] dimensions)
    {
        var key = Key(dimensions);
        lock (_gate)
        {
            if (_designs.TryGetValue(key, out var cached))
            {
                return cached;
            }
        }

        var random = TrialRandom.For(_seed, 0, PurposeDesign);
        var rows = _options.StartupTrials;
        var d = dimensions.Length;
        double[][]? best = null;
        var bestSpread = double.NegativeInfinity;
        for (var attempt = 0; attempt < DesignTries; attempt++)
        {
            var design = new double[rows][];
            for (var r = 0; r < rows; r++)
            {
                design[r] = new double[d];
            }

            for (var j = 0; j < d; j++)
            {
                var order = Enumerable.Range(0, rows).ToArray();
                random.Shuffle(order);
                for (var r = 0; r < rows; r++)
                {
                    design[r][j] = (order[r] + random.NextDouble()) / rows;
                }
            }

            var spread = double.PositiveInfinity;
            for (var a = 0; a < rows; a++)
            {
                for (var b = 0; b < a; b++)
                {
                    var distance = 0.0;
                    for (var j = 0; j < d; j++)
                    {
                        var delta = design[a][j] - design[b][j];
                        distance += delta * delta;
                    }

                    spread = Math.Min(spread, distance);
                }
            }

            if (spread > bestSpread)
            {
                (best, bestSpread) = (design, spread);
            }
        }

        var coordinates = best!.Select(row => row.Select((u, j) => dimensions[j].Snap(dimensions[j].FromUnit(u))).ToArray()).ToArray();
        lock (_gate)
        {
            _designs[key] = coordinates;
        }

        return coordinates;
    }

    private double[] Propose(SamplingContext context, GpDimension[] dimensions, History history)
    {
        var categorical = dimensions.Select(x => x.IsCategorical).ToArray();
        var key = Key(dimensions);

        // Minimise: negate a maximised objective, then standardise.
        var sign = context.Directions[0] == StudyDirection.Maximize ? -1.0 : 1.0;
        var y = OutputTransform.Apply(Finite(history.Values.Select(v => sign * v).ToArray()), _options.Warping);

        FitState? previous;
        lock (_gate)
        {
            _fits.TryGetValue(key, out previous);
        }

        var n = history.Count;
        GaussianProcess gp;
        FitState state;
        if (previous is null || n - previous.FittedAt >= previous.Interval || n < previous.FittedAt)
        {
            // A warm refit of a long history starts close to its optimum and costs O(n³) per evaluation: past 50
            // trials its budget shrinks in proportion (not below 4 evaluations).
            var budget = previous is null ? _options.FitEvaluations : Math.Max(4, Math.Min(_options.RefitEvaluations, _options.RefitEvaluations * 50 / n));
            gp = GaussianProcess.Fit(history.Points, y, categorical, previous?.Model.Parameters, budget);

            // Refit after the history grows by RefitFraction; when a refit barely moved the kernel (every log-parameter
            // within 0.1), it has settled and the wait doubles.
            var interval = Math.Max(1, (int)(n * _options.RefitFraction));
            if (previous is not null && Settled(previous.Model.Parameters, gp.Parameters))
            {
                interval = Math.Max(interval, 2 * previous.Interval);
            }

            state = new FitState(gp, n, interval);
        }
        else
        {
            gp = previous.Model.IsPrefixOf(history.Points)
                ? previous.Model.Extend(history.Points.Skip(previous.Model.Count).ToList(), y)
                : GaussianProcess.Condition(history.Points, y, categorical, previous.Model.Parameters);
            state = previous with { Model = gp };
        }

        lock (_gate)
        {
            _fits[key] = state;
        }

        var best = y.Min();
        var centres = Enumerable.Range(0, y.Length).OrderBy(i => y[i]).Take(_options.LocalCenters).Select(i => history.Points[i]).ToList();
        if (history.Running.Count > 0)
        {
            // A pessimistic kriging believer: the GP's prediction, but never better than the average trial (0 after
            // standardising), so a running trial in a promising region pushes the next proposal elsewhere.
            gp = gp.Extend(history.Running, y.Concat(history.Running.Select(p => Math.Max(gp.Predict(p).Mean, 0))).ToList());
        }

        var random = TrialRandom.For(_seed, context.TrialNumber, PurposeAcquisition);
        return new AcquisitionOptimizer(gp, dimensions, best, _options).Maximize(random, centres);
    }

    private static double[] Finite(double[] values)
    {
        // A value that is not a finite number cannot be modelled: count it as the worst finite one.
        var finite = values.Where(double.IsFinite).ToArray();
        var worst = finite.Length == 0 ? 0 : finite.Max();
        for (var i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                values[i] = worst;
            }
        }

        return values;
    }

    private static bool Settled(GpKernelParameters before, GpKernelParameters after)
    {
        static bool Close(double a, double b) => Math.Abs(Math.Log(a / b)) < 0.1;
        return Close(before.SignalVariance, after.SignalVariance)
            && Close(before.NoiseVariance, after.NoiseVariance)
            && before.InverseSquaredLengthScales.Zip(after.InverseSquaredLengthScales).All(p => Close(p.First, p.Second));
    }

    private static string Key(GpDimension[] dimensions) => string.Join('\n', dimensions.Select(d => d.Distribution.ToString()));

    /// <summary>
    /// The last model, the history size its kernel was fitted at and how many more trials to wait before refitting:
    /// until then, the next trial only extends the model.
    /// </summary>
    private sealed record FitState(GaussianProcess Model, int FittedAt, int Interval);

    /// <summary>The trials the GP learns from (coordinates and raw values) and the running ones it must steer away from.</summary>
    private sealed record History(List<double[]> Points, List<double> Values, List<double[]> Running)
    {
        public int Count => Points.Count;

        public static History Collect(SamplingContext context, GpDimension[] dimensions)
        {
            var history = new History([], [], []);
            foreach (var trial in context.Trials)
            {
                double? value = trial.State == TrialState.Complete && trial.Values is { Count: > 0 } values && !double.IsNaN(values[0]) ? values[0] : null;
                if (value is null && trial.State != TrialState.Running)
                {
                    continue;
                }

                var point = new double[dimensions.Length];
                var complete = true;
                for (var j = 0; j < dimensions.Length && complete; j++)
                {
                    complete = trial.Params.TryGetValue(dimensions[j].Distribution.Name, out var internalValue);
                    point[j] = dimensions[j].Encode(internalValue);
                }

                if (!complete)
                {
                    continue;
                }

                if (value is { } v)
                {
                    history.Points.Add(point);
                    history.Values.Add(v);
                }
                else
                {
                    history.Running.Add(point);
                }
            }

            return history;
        }
    }
}
