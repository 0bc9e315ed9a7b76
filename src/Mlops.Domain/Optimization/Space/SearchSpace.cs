using System.Globalization;
using Mlops.Domain.Common;

namespace Mlops.Domain.Optimization.Space;

/// <summary>
/// The parameters a study searches, validated: ranges that make sense, log scales on positive bounds, non-empty
/// choices, and conditions that point at an earlier categorical parameter's real choices. Parameters are kept in
/// an order where every parent comes before its children, so a sampler can assign them in one pass.
/// </summary>
public sealed class SearchSpace
{
    private readonly Dictionary<string, ParameterDistribution> _byName;

    public SearchSpace(IEnumerable<ParameterDistribution> parameters)
    {
        var list = parameters.ToList();
        var problems = Check(list);
        if (problems.Count > 0)
        {
            throw MlopsException.Invalid("search space: " + string.Join("; ", problems));
        }

        _byName = list.ToDictionary(p => p.Name, StringComparer.Ordinal);
        Parameters = ParentsFirst(list);
    }

    public IReadOnlyList<ParameterDistribution> Parameters { get; }

    /// <summary>True when no parameter depends on another.</summary>
    public bool IsFlat => Parameters.All(p => p.Condition is null);

    public ParameterDistribution this[string name] => _byName.TryGetValue(name, out var p) ? p : throw MlopsException.Invalid($"search space: no parameter '{name}'.");

    public bool TryGet(string name, out ParameterDistribution distribution) => _byName.TryGetValue(name, out distribution!);

    /// <summary>Whether a parameter exists given the (internal) values assigned so far to its ancestors.</summary>
    public bool IsActive(ParameterDistribution parameter, IReadOnlyDictionary<string, double> assigned)
    {
        for (var p = parameter; p.Condition is { } condition; p = _byName[condition.Parent])
        {
            var parent = (CategoricalDistribution)_byName[condition.Parent];
            if (!assigned.TryGetValue(parent.Name, out var index) || !condition.Values.Any(v => CategoricalDistribution.SameChoice(parent.Choices[(int)index], v)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Assigns every active parameter in parents-first order with <paramref name="draw"/> (internal values).</summary>
    public Dictionary<string, double> Assign(Func<ParameterDistribution, IReadOnlyDictionary<string, double>, double> draw)
    {
        var assigned = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var parameter in Parameters)
        {
            if (IsActive(parameter, assigned))
            {
                assigned[parameter.Name] = draw(parameter, assigned);
            }
        }

        return assigned;
    }

    /// <summary>Converts external values (as a user or a JSON body gives them) to internal ones, checking each.</summary>
    public Dictionary<string, double> ToInternal(IReadOnlyDictionary<string, object> values)
    {
        var unknown = values.Keys.FirstOrDefault(k => !_byName.ContainsKey(k));
        if (unknown is not null)
        {
            throw MlopsException.Invalid($"search space: no parameter '{unknown}'.");
        }

        return values.ToDictionary(v => v.Key, v => _byName[v.Key].ToInternal(v.Value), StringComparer.Ordinal);
    }

    public Dictionary<string, object> ToExternal(IReadOnlyDictionary<string, double> values) =>
        values.ToDictionary(v => v.Key, v => this[v.Key].ToExternal(v.Value), StringComparer.Ordinal);

    private static List<string> Check(List<ParameterDistribution> parameters)
    {
        var problems = new List<string>();
        if (parameters.Count == 0)
        {
            problems.Add("it has no parameters");
        }

        foreach (var duplicate in parameters.GroupBy(p => p.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"parameter '{duplicate.Key}' appears {duplicate.Count()} times");
        }

        var byName = parameters.GroupBy(p => p.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var parameter in parameters)
        {
            var name = $"parameter '{parameter.Name}'";
            if (string.IsNullOrWhiteSpace(parameter.Name) || parameter.Name.Length > 250)
            {
                problems.Add("a parameter name must be 1 to 250 characters");
            }

            switch (parameter)
            {
                case FloatDistribution f:
                    if (!double.IsFinite(f.Low) || !double.IsFinite(f.High))
                    {
                        problems.Add($"{name}: low and high must be finite numbers");
                    }
                    else if (f.Low > f.High)
                    {
                        problems.Add($"{name}: low ({N(f.Low)}) is greater than high ({N(f.High)})");
                    }
                    else if (f.Log && f.Low <= 0)
                    {
                        problems.Add($"{name}: a log scale needs low > 0 (got {N(f.Low)})");
                    }

                    if (f.Step is { } step && (!double.IsFinite(step) || step <= 0))
                    {
                        problems.Add($"{name}: step must be a positive number");
                    }
                    else if (f.Step is not null && f.Log)
                    {
                        problems.Add($"{name}: step and log cannot be combined");
                    }

                    break;
                case IntDistribution i:
                    if (i.Low > i.High)
                    {
                        problems.Add($"{name}: low ({i.Low}) is greater than high ({i.High})");
                    }
                    else if (i.Log && i.Low <= 0)
                    {
                        problems.Add($"{name}: a log scale needs low > 0 (got {i.Low})");
                    }

                    if (i.Step <= 0)
                    {
                        problems.Add($"{name}: step must be a positive integer");
                    }
                    else if (i.Step != 1 && i.Log)
                    {
                        problems.Add($"{name}: step and log cannot be combined");
                    }

                    break;
                case CategoricalDistribution c:
                    if (c.Choices.Count == 0)
                    {
                        problems.Add($"{name}: choices must not be empty");
                    }
                    else if (c.Choices.Any(v => v is not (string or bool or int or long or double or float)))
                    {
                        problems.Add($"{name}: choices must be strings, numbers or booleans");
                    }
                    else if (c.Choices.Select(CategoricalDistribution.Format).Distinct(StringComparer.Ordinal).Count() != c.Choices.Count)
                    {
                        problems.Add($"{name}: choices must be distinct");
                    }

                    break;
            }

            if (parameter.Condition is { } condition)
            {
                if (!byName.TryGetValue(condition.Parent, out var parent))
                {
                    problems.Add($"{name}: its condition names '{condition.Parent}', which is not a parameter");
                }
                else if (parent is not CategoricalDistribution categorical)
                {
                    problems.Add($"{name}: its condition's parent '{condition.Parent}' must be categorical");
                }
                else if (condition.Values.Count == 0 || condition.Values.Any(v => !categorical.Choices.Any(c => CategoricalDistribution.SameChoice(c, v))))
                {
                    problems.Add($"{name}: its condition must list choices of '{condition.Parent}' ({string.Join(", ", categorical.Choices.Select(CategoricalDistribution.Format))})");
                }
            }
        }

        if (problems.Count == 0 && HasCycle(byName))
        {
            problems.Add("conditions form a cycle");
        }

        return problems;
    }

    private static bool HasCycle(Dictionary<string, ParameterDistribution> byName)
    {
        foreach (var start in byName.Values)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var p = start; p.Condition is { } condition; p = byName[condition.Parent])
            {
                if (!seen.Add(p.Name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static List<ParameterDistribution> ParentsFirst(List<ParameterDistribution> parameters)
    {
        var byName = parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        int Depth(ParameterDistribution p) => p.Condition is null ? 0 : 1 + Depth(byName[p.Condition.Parent]);
        return [.. parameters.Select((p, i) => (p, i)).OrderBy(x => Depth(x.p)).ThenBy(x => x.i).Select(x => x.p)];
    }

    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);
}
