using CsCheck;
using Mlops.Domain.Common;
using Mlops.Domain.Deployments;

namespace Mlops.Domain.Tests.Deployments;

/// <summary>Random sequences of operations, valid or not, never break the invariants of an endpoint.</summary>
public sealed class EndpointPropertyTests
{
    private static readonly string[] s_models = ["models:/churn/1", "models:/churn/2", "models:/churn@champion", "models:/churn/Staging", "runs:/abc/model"];

    // (operation, a, b): operation 0..29 are the everyday changes; 30 (undeploy) is rare so sequences stay interesting.
    private static readonly Gen<(int Op, int A, int B)[]> s_sequences = Gen.Select(Gen.Int[0, 30], Gen.Int[0, 100], Gen.Int[-2, 102]).Array[1, 60];

    [Fact]
    public void Weights_sum_to_100_and_history_only_grows_over_any_sequence_of_operations()
    {
        s_sequences.Sample(steps =>
        {
            var endpoint = EndpointRules.Create("churn", 0);
            var at = 0L;
            foreach (var (op, a, b) in steps)
            {
                var before = endpoint;
                var note = new ChangeNote("prop", ++at, $"step {at}");
                try
                {
                    endpoint = Apply(endpoint, op, a, b, note);
                    Assert.Equal(before.History.Count + 1, endpoint.History.Count);
                }
                catch (MlopsException)
                {
                    // A refused operation leaves nothing behind: the caller still holds the old endpoint.
                }

                AssertInvariants(before, endpoint);
            }
        }, iter: 2000);
    }

    private static Endpoint Apply(Endpoint endpoint, int op, int a, int b, ChangeNote note)
    {
        var model = s_models[a % s_models.Length];
        var anyRevision = a % (endpoint.Revisions.Count + 2);
        return op switch
        {
            < 4 => EndpointRules.Deploy(endpoint, model, note),
            < 8 => EndpointRules.Canary(endpoint, model, b, note),
            < 10 => EndpointRules.Shadow(endpoint, model, note),
            < 13 => EndpointRules.Promote(endpoint, note, b % 3 == 0 ? anyRevision : null),
            < 16 => EndpointRules.Rollback(endpoint, note),
            < 18 => EndpointRules.Scale(endpoint, anyRevision, b, note),
            < 24 => EndpointRules.MarkLive(endpoint, endpoint.Pending?.Number ?? anyRevision, note),
            < 30 => EndpointRules.MarkFailed(endpoint, endpoint.Pending?.Number ?? anyRevision, "probe failed", note),
            _ => EndpointRules.Undeploy(endpoint, note),
        };
    }

    private static void AssertInvariants(Endpoint before, Endpoint after)
    {
        var split = EndpointRules.TrafficSplit(after);
        Assert.True(split.Count == 0 || split.Sum(r => r.Weight) == 100);
        Assert.All(split, r => Assert.True(r.IsLive && r.Role != RevisionRole.Shadow));
        Assert.Equal(after.State == EndpointState.Active && after.Primary is not null, split.Count > 0);
        Assert.All(after.Revisions.Where(r => !r.IsLive), r => Assert.Equal(0, r.Weight));
        Assert.True(after.Revisions.Count(r => r.IsLive && r.Role == RevisionRole.Primary) <= 1);
        Assert.True(after.Revisions.Count(r => r.IsLive && r.Role == RevisionRole.Canary) <= 1);
        Assert.True(after.Revisions.Count(r => r.State == RevisionState.Pending) <= 1);
        Assert.All(after.Revisions, r => Assert.InRange(r.Replicas, 1, 64));

        // Append-only: numbers run 1..n, nothing is removed, and what a revision was created as never changes.
        Assert.Equal(Enumerable.Range(1, after.Revisions.Count), after.Revisions.Select(r => r.Number));
        Assert.Equal(Enumerable.Range(1, after.History.Count), after.History.Select(c => c.Sequence));
        Assert.True(after.Revisions.Count >= before.Revisions.Count);
        for (var i = 0; i < before.Revisions.Count; i++)
        {
            var (old, now) = (before.Revisions[i], after.Revisions[i]);
            Assert.Equal((old.Number, old.ModelUri, old.CreatedAt, old.CreatedBy, old.Reason), (now.Number, now.ModelUri, now.CreatedAt, now.CreatedBy, now.Reason));
            if (old.State is RevisionState.Failed or RevisionState.Retired)
            {
                Assert.Equal(old, now);
            }
        }

        Assert.Equal(before.History, after.History.Take(before.History.Count));
        if (after.Primary is { } primary)
        {
            Assert.Equal(primary.Number, EndpointRules.PrimaryLineage(after)[^1]);
        }
    }
}
