using System.Globalization;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// Exhaustive search: every combination of grid values, one per trial, in an order shuffled by the seed. Floats
/// need a step; integers use their step grid; categoricals their choices. With conditional parameters the grid is
/// the tree of active combinations (a child's values multiply only the branches of the parent choices it lives
/// under). A trial takes the first point of the shuffled order that no earlier trial holds, running or finished,
/// so the study ends with an error once every point has a trial.
/// </summary>
public sealed class GridSampler(long seed) : ISampler
{
    /// <summary>The number of points in the grid of <paramref name="space"/>.</summary>
    public static long GridSize(SearchSpace space) => new GridTree(space).Size;

    public IReadOnlyDictionary<string, double> Sample(SamplingContext context)
    {
        var grid = new GridTree(context.Space);
        var taken = new HashSet<long>();
        foreach (var trial in context.Trials)
        {
            if (grid.TryIndexOf(trial.Params, out var index))
            {
                taken.Add(index);
            }
        }

        if (taken.Count >= grid.Size)
        {
            throw new MlopsException(ErrorKind.LimitExceeded, $"The grid of {grid.Size.ToString(CultureInfo.InvariantCulture)} points is exhausted: every point already has a trial.");
        }

        var order = new ShuffledOrder(grid.Size, seed);
        for (long position = 0; ; position++)
        {
            var index = order.At(position);
            if (!taken.Contains(index))
            {
                return grid.PointAt(index);
            }
        }
    }

    /// <summary>
    /// A bijection of [0, size) keyed by the seed: a four-round Feistel network over the smallest even power of two
    /// that holds size, walking the cycle until the result lands in range. It needs no table, so grids too large to
    /// shuffle in memory still get a seeded order.
    /// </summary>
    private readonly struct ShuffledOrder
    {
        private readonly long _size;
        private readonly int _halfBits;
        private readonly ulong _halfMask;
        private readonly ulong _key;

        public ShuffledOrder(long size, long seed)
        {
            _size = size;
            var bits = 2;
            while (bits < 64 && (1UL << bits) < (ulong)size)
            {
                bits += 2;
            }

            _halfBits = bits / 2;
            _halfMask = (1UL << _halfBits) - 1;
            _key = Mix((ulong)seed ^ 0x6A09E667F3BCC909UL);
        }

        public long At(long position)
        {
            var x = (ulong)position;
            do
            {
                x = Encrypt(x);
            }
            while (x >= (ulong)_size);

            return (long)x;
        }

        private ulong Encrypt(ulong x)
        {
            var left = x >> _halfBits;
            var right = x & _halfMask;
            for (var round = 0UL; round < 4; round++)
            {
                var next = left ^ (Mix(_key ^ (round << 56) ^ right) & _halfMask);
                left = right;
                right = next;
            }

            return (left << _halfBits) | right;
        }

        private static ulong Mix(ulong x)
        {
            x += 0x9E3779B97F4A7C15UL;
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }
    }

    /// <summary>
    /// Numbers the points of the grid. The roots (unconditional parameters) form a mixed-radix number; below a
    /// categorical, each choice owns a contiguous block whose size is the product of the subtrees of the children
    /// active under that choice.
    /// </summary>
    private sealed class GridTree
    {
        private readonly SearchSpace _space;
        private readonly List<ParameterDistribution> _roots = [];
        private readonly Dictionary<string, long> _subtree = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<ParameterDistribution>[]> _children = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long[]> _blocks = new(StringComparer.Ordinal);

        public GridTree(SearchSpace space)
        {
            _space = space;
            foreach (var parameter in space.Parameters)
            {
                if (parameter is FloatDistribution { Step: null })
                {
                    throw MlopsException.Invalid($"parameter '{parameter.Name}': a grid search needs a step for float parameters.");
                }

                if (parameter is CategoricalDistribution categorical)
                {
                    var lists = new List<ParameterDistribution>[categorical.Choices.Count];
                    for (var i = 0; i < lists.Length; i++)
                    {
                        lists[i] = [];
                    }

                    _children[parameter.Name] = lists;
                }
            }

            foreach (var parameter in space.Parameters)
            {
                if (parameter.Condition is not { } condition)
                {
                    _roots.Add(parameter);
                    continue;
                }

                var parent = (CategoricalDistribution)space[condition.Parent];
                for (var i = 0; i < parent.Choices.Count; i++)
                {
                    if (condition.Values.Any(v => CategoricalDistribution.SameChoice(parent.Choices[i], v)))
                    {
                        _children[parent.Name][i].Add(parameter);
                    }
                }
            }

            try
            {
                Size = Product(_roots);
            }
            catch (OverflowException)
            {
                throw MlopsException.Invalid("search space: the grid has more than 2^63 points.");
            }
        }

        public long Size { get; }

        public Dictionary<string, double> PointAt(long index)
        {
            var point = new Dictionary<string, double>(StringComparer.Ordinal);
            Decode(_roots, index, point);
            return point;
        }

        /// <summary>The index of a trial's parameters, when they are exactly a point of this grid.</summary>
        public bool TryIndexOf(IReadOnlyDictionary<string, double> values, out long index)
        {
            var used = 0;
            index = 0;
            return Encode(_roots, values, ref used, ref index) && used == values.Count;
        }

        private long Product(List<ParameterDistribution> parameters)
        {
            var product = 1L;
            foreach (var parameter in parameters)
            {
                product = checked(product * Subtree(parameter));
            }

            return product;
        }

        private long Subtree(ParameterDistribution parameter)
        {
            if (_subtree.TryGetValue(parameter.Name, out var known))
            {
                return known;
            }

            long size;
            if (parameter is CategoricalDistribution)
            {
                var children = _children[parameter.Name];
                var blocks = new long[children.Length];
                size = 0;
                for (var i = 0; i < children.Length; i++)
                {
                    blocks[i] = Product(children[i]);
                    size = checked(size + blocks[i]);
                }

                _blocks[parameter.Name] = blocks;
            }
            else
            {
                size = ValueCount(parameter);
            }

            _subtree[parameter.Name] = size;
            return size;
        }

        private void Decode(List<ParameterDistribution> parameters, long index, Dictionary<string, double> point)
        {
            foreach (var parameter in parameters)
            {
                var size = _subtree[parameter.Name];
                var own = index % size;
                index /= size;
                if (parameter is CategoricalDistribution)
                {
                    var blocks = _blocks[parameter.Name];
                    var choice = 0;
                    while (own >= blocks[choice])
                    {
                        own -= blocks[choice];
                        choice++;
                    }

                    point[parameter.Name] = choice;
                    Decode(_children[parameter.Name][choice], own, point);
                }
                else
                {
                    point[parameter.Name] = ValueAt(parameter, own);
                }
            }
        }

        private bool Encode(List<ParameterDistribution> parameters, IReadOnlyDictionary<string, double> values, ref int used, ref long index)
        {
            long radix = 1;
            long total = 0;
            foreach (var parameter in parameters)
            {
                if (!values.TryGetValue(parameter.Name, out var value) || !parameter.Contains(value))
                {
                    return false;
                }

                used++;
                long own;
                if (parameter is CategoricalDistribution)
                {
                    var choice = (int)value;
                    var blocks = _blocks[parameter.Name];
                    long offset = 0;
                    for (var i = 0; i < choice; i++)
                    {
                        offset += blocks[i];
                    }

                    long below = 0;
                    if (!Encode(_children[parameter.Name][choice], values, ref used, ref below))
                    {
                        return false;
                    }

                    own = offset + below;
                }
                else
                {
                    own = ValueIndex(parameter, value);
                    if (own < 0 || own >= _subtree[parameter.Name])
                    {
                        return false;
                    }
                }

                total += own * radix;
                radix *= _subtree[parameter.Name];
            }

            index = total;
            return true;
        }

        private static long ValueCount(ParameterDistribution parameter) => parameter switch
        {
            FloatDistribution { Step: { } step } f => FloatCount(f, step),
            IntDistribution i => checked(((long)(((ulong)(i.High - i.Low)) / (ulong)i.Step)) + 1),
            _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
        };

        private static long FloatCount(FloatDistribution f, double step)
        {
            var last = Math.Floor(((f.High - f.Low) / step) + 1e-9);
            return last < 9.2e18 ? (long)last + 1 : throw new OverflowException();
        }

        private static double ValueAt(ParameterDistribution parameter, long k) => parameter switch
        {
            FloatDistribution { Step: { } step } f => f.Snap(f.Low + (k * step)),
            IntDistribution i => i.Low + (k * i.Step),
            _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
        };

        private static long ValueIndex(ParameterDistribution parameter, double value) => parameter switch
        {
            FloatDistribution { Step: { } step } f => (long)Math.Round((value - f.Low) / step),
            IntDistribution i => ((long)value - i.Low) / i.Step,
            _ => -1,
        };
    }
}
