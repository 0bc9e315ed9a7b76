using Mlops.Domain.Deployments;

namespace Mlops.Infrastructure.Persistence;

/// <summary>What every deployment store checks before saving a changed endpoint (shared by both backends).</summary>
internal static class EndpointChangeCheck
{
    /// <summary>A change may only add to an endpoint; anything else is a bug in the caller, and nothing is saved.</summary>
    public static void RequireOnlyAdditions(Endpoint current, Endpoint changed)
    {
        if (!string.Equals(current.Name, changed.Name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"A change of endpoint '{current.Name}' cannot rename it to '{changed.Name}'.");
        }

        if (changed.CreatedAt != current.CreatedAt)
        {
            throw new InvalidOperationException($"A change of endpoint '{current.Name}' cannot change when it was created.");
        }

        if (changed.Revisions.Count < current.Revisions.Count || changed.History.Count < current.History.Count)
        {
            throw new InvalidOperationException($"A change of endpoint '{current.Name}' cannot remove revisions or history.");
        }

        for (var i = 0; i < current.History.Count; i++)
        {
            if (changed.History[i] != current.History[i])
            {
                throw new InvalidOperationException($"A change of endpoint '{current.Name}' cannot rewrite history entry {current.History[i].Sequence}.");
            }
        }

        for (var i = 0; i < current.Revisions.Count; i++)
        {
            var before = current.Revisions[i];
            var after = changed.Revisions[i];
            var kept = before with { Role = after.Role, Weight = after.Weight, RequestedWeight = after.RequestedWeight, Replicas = after.Replicas, State = after.State, Error = after.Error };
            if (kept != after)
            {
                throw new InvalidOperationException(
                    $"A change of endpoint '{current.Name}' can only change the role, weights, replicas, state and error of revision {before.Number}.");
            }
        }
    }
}
