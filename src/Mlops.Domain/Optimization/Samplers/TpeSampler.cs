using Mlops.Domain.Common;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// Tree-structured Parzen Estimator, with Optuna 3.x semantics. After <see cref="TpeOptions.StartupTrials"/>
/// random trials, the finished trials are split into a good group (the best <see cref="TpeOptions.Gamma"/>) and
/// the rest; a Parzen density is fitted to each, candidates are drawn from the good density, and the one with the
/// highest ratio good / rest is proposed.
/// <para>
/// Ranking: complete trials first by value; then pruned trials, deeper ones (higher last step) first and then by
/// their last intermediate value; pruned trials that reported nothing after those; running trials last when the
/// constant liar is on. With several objectives, complete trials are ranked by non-dominated sorting, ties on the
/// boundary front broken by crowding distance (Optuna uses a hypervolume subset selection there and weights good
/// trials by their hypervolume contribution; both are simplified here).
/// </para>
/// <para>
/// Conditional parameters: univariate TPE models each parameter on the trials where it was active. Multivariate
/// TPE samples the parameters that become active together (the roots, then the children of the chosen branches)
/// with one joint kernel over the trials in which all of them were present; a parameter seen in fewer than
/// <see cref="TpeOptions.StartupTrials"/> finished trials falls back to its own univariate density.
/// </para>
/// </summary>
public sealed class TpeSampler : ISampler
{
    // Separates the TPE streams from the random-draw streams of the same parameter.
    private const int ModelSalt = 0x51ED2701;

    private readonly long _seed;
    private readonly TpeOptions _options;
    private readonly RandomSampler _startup;

    public TpeSampler(long seed, TpeOptions? options = null)
    {
        _seed = seed;
        _options = options ?? new TpeOptions();
        if (_options.StartupTrials < 0)
        {
            throw MlopsException.Invalid("TPE: the number of startup trials must not be negative.");
        }

        if (_options.EiCandidates < 1)
        {
            throw MlopsException.Invalid("TPE: the number of candidates must be at least 1.");
        }

        if (!double.IsFinite(_options.PriorWeight) || _options.PriorWeight <= 0)
        {
            throw MlopsException.Invalid("TPE: the prior weight must be a positive number.");
        }

        _startup = new RandomSampler(seed);
    }

    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var history = TrialHistory.Build(context, _options);
        if (history.Finished < _options.StartupTrials)
        {
            return _startup.Sample(context);
        }

        var space = context.Space;
        var parameters = space.Parameters;
        var assigned = new Dictionary<string, double>(parameters.Count, StringComparer.Ordinal);
        if (!_options.Multivariate)
        {
            foreach (var parameter in parameters)
            {
                if (space.IsActive(parameter, assigned))
                {
                    assigned[parameter.Name] = SampleOne(parameter, history, context.TrialNumber);
                }
            }

            return assigned;
        }

        // Parents come before children, so parameters of one depth become active together.
        var depths = new Dictionary<string, int>(parameters.Count, StringComparer.Ordinal);
        var wave = new List<ParameterDistribution>();
        var start = 0;
        while (start < parameters.Count)
        {
            var depth = Depth(parameters[start], depths);
            var end = start;
            wave.Clear();
            while (end < parameters.Count && Depth(parameters[end], depths) == depth)
            {
                if (space.IsActive(parameters[end], assigned))
                {
                    wave.Add(parameters[end]);
                }

                end++;
            }

            SampleJointly(wave, history, context.TrialNumber, assigned);
            start = end;
        }

        return assigned;
    }

    private static int Depth(ParameterDistribution parameter, Dictionary<string, int> depths)
    {
        if (!depths.TryGetValue(parameter.Name, out var depth))
        {
            depth = parameter.Condition is { } condition ? depths[condition.Parent] + 1 : 0;
            depths[parameter.Name] = depth;
        }

        return depth;
    }

    private double SampleOne(ParameterDistribution parameter, TrialHistory history, int trialNumber)
    {
        var axis = TpeAxis.For(parameter);
        if (axis.SingleValue is { } single)
        {
            return single;
        }

        var random = RandomSampler.Stream(_seed, trialNumber, parameter.Name, ModelSalt);
        if (!axis.CanModel)
        {
            return RandomSampler.Draw(parameter, random);
        }

        TpeAxis[] axes = [axis];
        var (below, above) = history.Split(axes);
        return Propose(axes, below, above, random, multivariate: false)[0];
    }

    private void SampleJointly(List<ParameterDistribution> wave, TrialHistory history, int trialNumber, Dictionary<string, double> assigned)
    {
        var joint = new List<TpeAxis>(wave.Count);
        foreach (var parameter in wave)
        {
            var axis = TpeAxis.For(parameter);
            if (axis.SingleValue is { } single)
            {
                assigned[parameter.Name] = single;
            }
            else if (axis.CanModel && history.FinishedWith(parameter.Name) >= _options.StartupTrials)
            {
                joint.Add(axis);
            }
            else
            {
                assigned[parameter.Name] = SampleOne(parameter, history, trialNumber);
            }
        }

        if (joint.Count == 0)
        {
            return;
        }

        var axes = joint.ToArray();
        var (below, above) = history.Split(axes);
        if (below.Count + above.FinishedCount < Math.Max(_options.StartupTrials, 1))
        {
            // Each has enough history alone but not together (they were active in different trials).
            foreach (var axis in axes)
            {
                assigned[axis.Parameter.Name] = SampleOne(axis.Parameter, history, trialNumber);
            }

            return;
        }

        var random = RandomSampler.Stream(_seed, trialNumber, axes[0].Parameter.Name, ~ModelSalt);
        var values = Propose(axes, below, above, random, multivariate: true);
        for (var a = 0; a < axes.Length; a++)
        {
            assigned[axes[a].Parameter.Name] = values[a];
        }
    }

    private double[] Propose(TpeAxis[] axes, Observations below, Observations above, Random random, bool multivariate)
    {
        var good = new ParzenEstimator(axes, below.Columns, below.Count, _options, multivariate);
        var rest = new ParzenEstimator(axes, above.Columns, above.Count, _options, multivariate);
        var n = _options.EiCandidates;
        var d = axes.Length;
        var internals = new double[n * d];
        var modelled = new double[n * d];
        good.Sample(random, n, internals, modelled);
        var logGood = new double[n];
        var logRest = new double[n];
        good.LogPdf(modelled, n, logGood);
        rest.LogPdf(modelled, n, logRest);

        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var c = 0; c < n; c++)
        {
            var score = logGood[c] - logRest[c];
            if (score > bestScore)
            {
                best = c;
                bestScore = score;
            }
        }

        var values = new double[d];
        Array.Copy(internals, best * d, values, 0, d);
        return values;
    }

    /// <summary>The modelled values of some trials, one column per axis, oldest trial first.</summary>
    private sealed class Observations(double[][] columns, int count, int finishedCount)
    {
        public double[][] Columns { get; } = columns;

        public int Count { get; } = count;

        /// <summary>The observations from trials that are not running.</summary>
        public int FinishedCount { get; } = finishedCount;
    }

    /// <summary>The trials TPE learns from, oldest first, each marked good (below) or not.</summary>
    private sealed class TrialHistory
    {
        private readonly TrialSnapshot[] _trials;
        private readonly bool[] _below;

        private TrialHistory(TrialSnapshot[] trials, bool[] below, int finished)
        {
            _trials = trials;
            _below = below;
            Finished = finished;
        }

        /// <summary>Complete and pruned trials (complete only with several objectives): what startup and gamma count.</summary>
        public int Finished { get; }

        public static TrialHistory Build(SamplingContext context, TpeOptions options)
        {
            var directions = context.Directions;
            var objectives = directions.Count;
            var single = objectives == 1;
            var source = context.Trials;
            var trials = new List<TrialSnapshot>(source.Count);
            var keys = new List<double>(source.Count);
            var losses = new List<double>(source.Count * objectives);
            var finished = 0;
            var ordered = true;
            for (var i = 0; i < source.Count; i++)
            {
                var trial = source[i];
                ordered &= i == 0 || source[i - 1].Number <= trial.Number;
                double key;
                switch (trial.State)
                {
                    case TrialState.Complete when trial.Values is { } values && values.Count >= objectives:
                        key = double.NegativeInfinity;
                        for (var o = 0; o < objectives; o++)
                        {
                            losses.Add(Loss(values[o], directions[o]));
                        }

                        finished++;
                        break;
                    case TrialState.Pruned when single:
                        if (LastIntermediate(trial) is (var step, var value))
                        {
                            key = -step;
                            losses.Add(Loss(value, directions[0]));
                        }
                        else
                        {
                            key = 1;
                            losses.Add(0);
                        }

                        finished++;
                        break;
                    case TrialState.Running when single && options.ConstantLiar:
                        key = double.PositiveInfinity;
                        losses.Add(double.PositiveInfinity);
                        break;
                    default:
                        continue;
                }

                trials.Add(trial);
                keys.Add(key);
            }

            var count = trials.Count;
            var order = new int[count];
            for (var i = 0; i < count; i++)
            {
                order[i] = i;
            }

            if (!ordered)
            {
                // Chronological order matters: the weights favour recent trials.
                var numbers = new int[count];
                for (var i = 0; i < count; i++)
                {
                    numbers[i] = trials[i].Number;
                }

                Array.Sort(numbers, order);
                trials = [.. order.Select(i => trials[i])];
                keys = [.. order.Select(i => keys[i])];
                losses = [.. order.SelectMany(i => Enumerable.Range(i * objectives, objectives).Select(j => losses[j]))];
                for (var i = 0; i < count; i++)
                {
                    order[i] = i;
                }
            }

            var nBelow = Math.Clamp(options.Gamma(finished), 0, finished);
            var below = new bool[count];
            if (single)
            {
                Array.Sort(order, (x, y) =>
                {
                    var byKey = keys[x].CompareTo(keys[y]);
                    if (byKey != 0)
                    {
                        return byKey;
                    }

                    var byLoss = losses[x].CompareTo(losses[y]);
                    return byLoss != 0 ? byLoss : x.CompareTo(y);
                });
                for (var i = 0; i < nBelow; i++)
                {
                    below[order[i]] = true;
                }
            }
            else
            {
                MarkBestByDominance(losses, count, objectives, nBelow, below);
            }

            return new TrialHistory([.. trials], below, finished);
        }

        /// <summary>How many finished trials had <paramref name="name"/>.</summary>
        public int FinishedWith(string name)
        {
            var n = 0;
            foreach (var trial in _trials)
            {
                if (trial.State != TrialState.Running && trial.Params.ContainsKey(name))
                {
                    n++;
                }
            }

            return n;
        }

        /// <summary>The good and other observations of the trials in which every axis had a value inside its distribution.</summary>
        public (Observations Below, Observations Above) Split(TpeAxis[] axes)
        {
            var d = axes.Length;
            var n = _trials.Length;
            var belowColumns = new double[d][];
            var aboveColumns = new double[d][];
            for (var a = 0; a < d; a++)
            {
                belowColumns[a] = new double[n];
                aboveColumns[a] = new double[n];
            }

            var row = new double[d];
            int belowCount = 0, aboveCount = 0, aboveFinished = 0;
            for (var t = 0; t < n; t++)
            {
                var values = _trials[t].Params;
                var usable = true;
                for (var a = 0; a < d && usable; a++)
                {
                    var axis = axes[a];
                    usable = values.TryGetValue(axis.Parameter.Name, out var value) && axis.Parameter.Contains(value);
                    row[a] = usable ? axis.Transform(value) : 0;
                }

                if (!usable)
                {
                    continue;
                }

                var columns = _below[t] ? belowColumns : aboveColumns;
                var at = _below[t] ? belowCount++ : aboveCount++;
                for (var a = 0; a < d; a++)
                {
                    columns[a][at] = row[a];
                }

                if (!_below[t] && _trials[t].State != TrialState.Running)
                {
                    aboveFinished++;
                }
            }

            return (new Observations(belowColumns, belowCount, belowCount), new Observations(aboveColumns, aboveCount, aboveFinished));
        }

        private static double Loss(double value, StudyDirection direction)
        {
            if (double.IsNaN(value))
            {
                return double.PositiveInfinity;
            }

            return direction == StudyDirection.Maximize ? -value : value;
        }

        private static (int Step, double Value)? LastIntermediate(TrialSnapshot trial)
        {
            if (trial.Intermediate.Count == 0)
            {
                return null;
            }

            var step = int.MinValue;
            var value = 0.0;
            foreach (var (s, v) in trial.Intermediate)
            {
                if (s > step)
                {
                    step = s;
                    value = v;
                }
            }

            return (step, value);
        }

        /// <summary>
        /// Marks the best <paramref name="nBelow"/> trials by non-dominated fronts; on the front that does not fit
        /// whole, the most isolated points (largest crowding distance) go first, oldest first on ties.
        /// </summary>
        private static void MarkBestByDominance(List<double> losses, int count, int objectives, int nBelow, bool[] below)
        {
            var dominatedBy = new int[count];
            var dominates = new List<int>[count];
            for (var i = 0; i < count; i++)
            {
                dominates[i] = [];
            }

            for (var i = 0; i < count; i++)
            {
                for (var j = i + 1; j < count; j++)
                {
                    var order = Compare(losses, i, j, objectives);
                    if (order < 0)
                    {
                        dominates[i].Add(j);
                        dominatedBy[j]++;
                    }
                    else if (order > 0)
                    {
                        dominates[j].Add(i);
                        dominatedBy[i]++;
                    }
                }
            }

            var front = new List<int>();
            for (var i = 0; i < count; i++)
            {
                if (dominatedBy[i] == 0)
                {
                    front.Add(i);
                }
            }

            var taken = 0;
            while (taken < nBelow && front.Count > 0)
            {
                if (taken + front.Count > nBelow)
                {
                    var crowding = Crowding(losses, front, objectives);
                    var byCrowding = Enumerable.Range(0, front.Count).OrderByDescending(i => crowding[i]).ThenBy(i => front[i]).ToList();
                    for (var i = 0; taken < nBelow; i++, taken++)
                    {
                        below[front[byCrowding[i]]] = true;
                    }

                    return;
                }

                var next = new List<int>();
                foreach (var i in front)
                {
                    below[i] = true;
                    taken++;
                    foreach (var j in dominates[i])
                    {
                        if (--dominatedBy[j] == 0)
                        {
                            next.Add(j);
                        }
                    }
                }

                next.Sort();
                front = next;
            }
        }

        // Negative when i dominates j, positive when j dominates i, zero otherwise.
        private static int Compare(List<double> losses, int i, int j, int objectives)
        {
            bool iBetter = false, jBetter = false;
            for (var o = 0; o < objectives; o++)
            {
                var a = losses[(i * objectives) + o];
                var b = losses[(j * objectives) + o];
                iBetter |= a < b;
                jBetter |= b < a;
            }

            return iBetter == jBetter ? 0 : iBetter ? -1 : 1;
        }

        private static double[] Crowding(List<double> losses, List<int> front, int objectives)
        {
            var crowding = new double[front.Count];
            var byValue = new int[front.Count];
            for (var o = 0; o < objectives; o++)
            {
                for (var i = 0; i < byValue.Length; i++)
                {
                    byValue[i] = i;
                }

                Array.Sort(byValue, (x, y) => losses[(front[x] * objectives) + o].CompareTo(losses[(front[y] * objectives) + o]));
                var min = losses[(front[byValue[0]] * objectives) + o];
                var max = losses[(front[byValue[^1]] * objectives) + o];
                crowding[byValue[0]] = double.PositiveInfinity;
                crowding[byValue[^1]] = double.PositiveInfinity;
                if (!(max > min) || !double.IsFinite(max - min))
                {
                    continue;
                }

                for (var i = 1; i < byValue.Length - 1; i++)
                {
                    var gap = losses[(front[byValue[i + 1]] * objectives) + o] - losses[(front[byValue[i - 1]] * objectives) + o];
                    crowding[byValue[i]] += gap / (max - min);
                }
            }

            return crowding;
        }
    }
}
