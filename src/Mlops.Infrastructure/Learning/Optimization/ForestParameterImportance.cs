using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Mlops.Application.Ports;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Infrastructure.Learning.Optimization;

/// <summary>
/// Parameter importance from a random forest: an ML.NET FastForest regression of the objective on the parameters,
/// then permutation feature importance (the drop in R² when one input is shuffled), summed per parameter, negative
/// drops counted as 0, and normalised to sum to 1.
/// </summary>
/// <remarks>
/// Inputs are the internal encoding (see <see cref="ParameterDistribution.ToInternal"/>): a number as itself, or its
/// natural log on a log scale; a categorical one-hot, one input per choice. A conditional parameter that was inactive
/// in a trial is a value below its whole range (numbers) or all zeros (categoricals), so a tree can split it off.
/// The forest is fitted and scored on the same trials, as Optuna's importance evaluators do: the question is which
/// parameters explain the objective across the trials run, not how well the forest generalises. The measure does not
/// depend on the direction. Deterministic for a given seed: one training thread, seeded bagging and permutations.
/// </remarks>
public sealed class ForestParameterImportance(int seed = 0) : IParameterImportance
{
    private const string Label = "Label";
    private const string Features = "Features";
    private const int Trees = 64;
    private const int Permutations = 5;

    public IReadOnlyDictionary<string, double> Compute(SearchSpace space, IReadOnlyList<TrialSnapshot> completedTrials, StudyDirection direction)
    {
        var trials = completedTrials.Where(t => t.State == TrialState.Complete && t.Values is { Count: > 0 } values && double.IsFinite(values[0])).ToList();
        if (trials.Count < 2)
        {
            return new Dictionary<string, double>();
        }

        var encoder = new Encoder(space, trials);
        var rows = trials.Select(t => new Row { Label = (float)t.Values![0], Features = encoder.Encode(t) }).ToList();
        var drops = rows.Select(r => r.Label).Distinct().Count() < 2 || !encoder.Varies(rows)
            ? new double[encoder.SlotCount]
            : SlotDrops(rows, encoder.SlotCount);

        var byParameter = space.Parameters.ToDictionary(p => p.Name, _ => 0.0, StringComparer.Ordinal);
        for (var slot = 0; slot < drops.Length; slot++)
        {
            byParameter[encoder.Owner(slot)] += double.IsFinite(drops[slot]) ? drops[slot] : 0;
        }

        var clamped = byParameter.ToDictionary(p => p.Key, p => Math.Max(p.Value, 0), StringComparer.Ordinal);
        var total = clamped.Values.Sum();
        return clamped
            .Select(p => (p.Key, Value: total > 0 ? p.Value / total : 1.0 / clamped.Count))
            .OrderByDescending(p => p.Value)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }

    /// <summary>The drop in R² when each input slot is permuted, averaged over a few permutations.</summary>
    private double[] SlotDrops(List<Row> rows, int slotCount)
    {
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, slotCount);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Regression.Trainers.FastForest(new FastForestRegressionTrainer.Options
        {
            LabelColumnName = Label,
            FeatureColumnName = Features,
            NumberOfTrees = Trees,
            // Studies are small: let leaves get down to a handful of trials so a few dozen can still be split.
            MinimumExampleCountPerLeaf = Math.Clamp(rows.Count / 20, 1, 5),
            NumberOfThreads = 1,
            Seed = seed,
        });
        var model = trainer.Fit(data);
        var metrics = ml.Regression.PermutationFeatureImportance(model, data, Label, permutationCount: Permutations);
        return [.. metrics.Select(m => -m.RSquared.Mean)];
    }

    private sealed class Row
    {
        public float Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    /// <summary>Maps a trial's parameters to input slots, and each slot back to its parameter.</summary>
    private sealed class Encoder
    {
        private readonly List<(ParameterDistribution Parameter, int Offset, double Inactive)> _layout = [];
        private readonly List<string> _owners = [];

        public Encoder(SearchSpace space, List<TrialSnapshot> trials)
        {
            foreach (var parameter in space.Parameters)
            {
                var width = parameter is CategoricalDistribution c ? c.Choices.Count : 1;
                var inactive = parameter is CategoricalDistribution ? 0 : BelowRange(parameter, trials);
                _layout.Add((parameter, _owners.Count, inactive));
                _owners.AddRange(Enumerable.Repeat(parameter.Name, width));
            }
        }

        public int SlotCount => _owners.Count;

        public string Owner(int slot) => _owners[slot];

        public float[] Encode(TrialSnapshot trial)
        {
            var features = new float[SlotCount];
            foreach (var (parameter, offset, inactive) in _layout)
            {
                var present = trial.Params.TryGetValue(parameter.Name, out var value);
                if (parameter is CategoricalDistribution categorical)
                {
                    if (present && value >= 0 && value < categorical.Choices.Count)
                    {
                        features[offset + (int)value] = 1;
                    }
                }
                else
                {
                    features[offset] = (float)(present ? Scale(parameter, value) : inactive);
                }
            }

            return features;
        }

        /// <summary>Whether any input differs between trials: a forest cannot split otherwise.</summary>
        public bool Varies(List<Row> rows) =>
            Enumerable.Range(0, SlotCount).Any(slot => rows.Any(r => r.Features[slot] != rows[0].Features[slot]));

        private static double Scale(ParameterDistribution parameter, double value) => parameter switch
        {
            FloatDistribution { Log: true } when value > 0 => Math.Log(value),
            IntDistribution { Log: true } when value > 0 => Math.Log(value),
            _ => value,
        };

        /// <summary>A value clearly below every value the parameter takes, its declared range included.</summary>
        private static double BelowRange(ParameterDistribution parameter, List<TrialSnapshot> trials)
        {
            var (low, high) = parameter switch
            {
                FloatDistribution f => (Scale(f, f.Low), Scale(f, f.High)),
                IntDistribution i => (Scale(i, i.Low), Scale(i, i.High)),
                _ => (0.0, 0.0),
            };
            foreach (var trial in trials)
            {
                if (trial.Params.TryGetValue(parameter.Name, out var value))
                {
                    low = Math.Min(low, Scale(parameter, value));
                    high = Math.Max(high, Scale(parameter, value));
                }
            }

            return low - Math.Max(high - low, 1);
        }
    }
}
