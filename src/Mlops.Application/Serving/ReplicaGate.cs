using Mlops.Application.Ports;
using Mlops.Domain.Serving;

namespace Mlops.Application.Serving;

/// <summary>
/// A revision's replicas: at most <see cref="Replicas"/> requests are in its model at once, and the rest wait their
/// turn without holding a thread. Scaling a revision resizes the gate in place, so it needs no reload.
/// </summary>
/// <remarks>
/// The ML.NET predictor keeps one warm engine per concurrent caller, so the gate also bounds its engine pool. A big
/// batch on one replica therefore delays other requests to that revision; that is what scaling up is for.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification =
    "A SemaphoreSlim only needs disposing once its wait handle is used, which this gate never does; a replaced one may still be held by requests.")]
public sealed class ReplicaGate
{
    private SemaphoreSlim _slots;

    public ReplicaGate(IPredictor predictor, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        Predictor = predictor;
        Replicas = replicas;
        _slots = new SemaphoreSlim(replicas);
    }

    public IPredictor Predictor { get; }

    public int Replicas { get; private set; }

    /// <summary>
    /// A new gate of the new size takes the next requests; those already inside finish and leave through the old one,
    /// so for a moment both sizes may be in use together. Nothing waits or fails because of a resize.
    /// </summary>
    public void Resize(int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (replicas == Replicas)
        {
            return;
        }

        Volatile.Write(ref _slots, new SemaphoreSlim(replicas));
        Replicas = replicas;
    }

    public async ValueTask<ScoringResult> PredictAsync(ScoringBatch batch, CancellationToken cancellationToken)
    {
        var slots = Volatile.Read(ref _slots);
        if (!slots.Wait(0, CancellationToken.None))
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return Predictor.Predict(batch);
        }
        finally
        {
            slots.Release();
        }
    }
}
