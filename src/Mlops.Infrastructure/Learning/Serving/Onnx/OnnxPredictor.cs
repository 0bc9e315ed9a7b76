using Microsoft.ML.OnnxRuntime;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// Scores batches with an ONNX model exported by ML.NET, through ONNX Runtime, safely from any number of threads
/// (an <see cref="InferenceSession"/> may run concurrently). The answers have the ML.NET predictor's columns, names
/// and types (see <see cref="OnnxOutput"/>), so callers cannot tell the runtimes apart except by speed.
/// <para>
/// A batch is checked against the graph's inputs before anything reaches ONNX Runtime. Number and boolean columns
/// are pinned and read in place, one [rows, width] tensor per column, so a large batch is not copied on the way in;
/// outputs are copied out of the tensors ONNX Runtime allocates, since the result must outlive them.
/// </para>
/// <para>Dispose a predictor once no request is using it; a run still in flight keeps the session alive until it ends.</para>
/// </summary>
public sealed class OnnxPredictor : IPredictor
{
    private readonly InferenceSession _session;
    private readonly OnnxInput[] _inputs;
    private readonly string[] _inputNames;
    private readonly OnnxOutput[] _outputs;
    private readonly string[] _outputNames;

    // Shared by all runs: ONNX Runtime only reads it, and this predictor never sets its terminate flag.
    private readonly RunOptions _runOptions = new();

    // One count for the predictor itself plus one per run in flight; whoever brings it to zero disposes the session,
    // so Dispose during a run cannot free native memory the run is using.
    private int _references = 1;
    private int _disposed;

    /// <summary>Takes ownership of the model's session: disposing the predictor disposes it.</summary>
    public OnnxPredictor(LoadedOnnxModel model)
    {
        _session = model.Session;
        try
        {
            Signature = model.Descriptor.Signature
                ?? throw MlopsException.Invalid("The model package has no signature, so its inputs and outputs are unknown and it cannot be served.");
            _inputs = OnnxInput.For(_session.InputMetadata, Signature);
            _inputNames = [.. _inputs.Select(i => i.Name)];
            _outputs = [.. Signature.Outputs.Select(o => OnnxOutput.For(o, _session.OutputMetadata, model.SlotNames))];
            _outputNames = [.. _outputs.Select(o => o.GraphName)];
        }
        catch
        {
            _runOptions.Dispose();
            _session.Dispose();
            throw;
        }
    }

    public ModelSignature Signature { get; }

    public ScoringResult Predict(ScoringBatch batch)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var rowCount = batch.RowCount;
        var values = new Array?[_inputs.Length];
        for (var i = 0; i < _inputs.Length; i++)
        {
            values[i] = _inputs[i].FromBatch ? _inputs[i].ValuesFrom(batch) : null;
        }

        var columns = new List<ScoringColumn>(_outputs.Length);
        if (rowCount == 0)
        {
            foreach (var output in _outputs)
            {
                output.AddEmptyTo(columns);
            }

            return new ScoringResult(0, columns);
        }

        ObjectDisposedException.ThrowIf(!TryAddReference(), this);

        var tensors = new OrtValue[_inputs.Length];
        try
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                tensors[i] = _inputs[i].Tensor(values[i], rowCount);
            }

            using var results = _session.Run(_runOptions, _inputNames, tensors, _outputNames);
            var index = 0;
            foreach (var result in results)
            {
                _outputs[index++].AddTo(result, rowCount, columns);
            }
        }
        finally
        {
            foreach (var tensor in tensors)
            {
                tensor?.Dispose();
            }

            Release();
        }

        return new ScoringResult(rowCount, columns);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }
    }

    private bool TryAddReference()
    {
        var current = Volatile.Read(ref _references);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _session.Dispose();
            _runOptions.Dispose();
        }
    }
}
