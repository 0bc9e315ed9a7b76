using System.Collections.Concurrent;
using Microsoft.ML;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using Mlops.Domain.Serving;

namespace Mlops.Infrastructure.Learning.Serving;

/// <summary>
/// Scores batches with a loaded ML.NET model, safely from any number of threads.
/// <para>
/// Scoring works as ML.NET's PredictionEngine does, without its compile-time row types: the model's row-to-row
/// mapper is bound once to a reusable input cursor over the batch arrays, and every row is a move of that cursor and
/// a call of the output getters, with no cursor chain built per request. A bound pipeline is not thread-safe, so
/// pipelines are pooled and a request rents one. The alternative, <c>Transform</c> over a
/// <see cref="ColumnarDataView"/> per request, rebuilds every transform's data view on each call: on the LightGBM
/// breast cancer model that costs several milliseconds and about 10 MB per call whatever the batch size
/// (bench/Mlops.Benchmarks/PredictorBenchmarks.cs), against a few microseconds per row here. It is kept only for
/// models that are not row-to-row mappers.
/// </para>
/// <para>
/// The result holds the signature's outputs in signature order (see <see cref="ScoringOutput"/>): a binary classifier
/// gives PredictedLabel (boolean), Score and Probability; a multiclass one PredictedLabel (the class name) and its
/// Score vector spread over one number column per class, "Score.&lt;class&gt;"; a regression Score.
/// </para>
/// <para>Dispose a predictor once no request is using it: disposing it also disposes the model.</para>
/// </summary>
public sealed class MlNetPredictor : IPredictor
{
    private readonly ITransformer _model;
    private readonly ColumnarLayout _layout;
    private readonly ScoringOutput[] _outputs;
    private readonly bool _rowMapping;
    private readonly ConcurrentQueue<Pipeline> _pool = new();
    private readonly int _poolCapacity = Environment.ProcessorCount * 2;
    private Pipeline? _first;
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="model"/>: disposing the predictor disposes the model.</summary>
    public MlNetPredictor(LoadedMlNetModel model)
    {
        _model = model.Model;
        Signature = model.Descriptor.Signature
            ?? throw MlopsException.Invalid("The model package has no signature, so its inputs and outputs are unknown and it cannot be served.");
        _layout = ColumnarLayout.For(model.InputSchema);
        var outputSchema = _model.GetOutputSchema(model.InputSchema);
        _outputs = [.. Signature.Outputs.Select(o => ScoringOutput.For(outputSchema, o.Name))];
        _rowMapping = _model.IsRowToRowMapper;
        if (_rowMapping)
        {
            // Built now so that a model the mapper cannot handle fails at load time, and the first request is warm.
            _first = new Pipeline(this);
        }
    }

    public ModelSignature Signature { get; }

    public ScoringResult Predict(ScoringBatch batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _rowMapping ? PredictByRow(batch) : PredictByTransform(_layout.Bind(batch), batch.RowCount);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        DrainPool();
        (_model as IDisposable)?.Dispose();
    }

    private ScoringResult PredictByRow(ScoringBatch batch)
    {
        var pipeline = Interlocked.Exchange(ref _first, null) ?? (_pool.TryDequeue(out var pooled) ? pooled : new Pipeline(this));
        ScoringResult result;
        try
        {
            result = pipeline.Score(batch);
        }
        catch (MlopsException)
        {
            // The batch was refused before any row reached the model.
            Return(pipeline);
            throw;
        }
        catch
        {
            // A getter that threw may have left cached state half-updated, so the pipeline is not reused.
            pipeline.Dispose();
            throw;
        }

        Return(pipeline);
        return result;
    }

    private ScoringResult PredictByTransform(Array?[] columns, int rowCount)
    {
        var scored = _model.Transform(new ColumnarDataView(_layout, columns, rowCount));
        var active = _outputs.Select(o => scored.Schema.GetColumnOrNull(o.Name)).OfType<DataViewSchema.Column>();
        using var cursor = scored.GetRowCursor(active);
        var readers = _outputs.Select(o => o.Bind(cursor)).ToArray();
        foreach (var reader in readers)
        {
            reader.Start(rowCount);
        }

        for (var row = 0; cursor.MoveNext(); row++)
        {
            foreach (var reader in readers)
            {
                reader.Read(row);
            }
        }

        return Collect(readers, rowCount);
    }

    private static ScoringResult Collect(OutputReader[] readers, int rowCount)
    {
        var results = new List<ScoringColumn>(readers.Length);
        foreach (var reader in readers)
        {
            reader.AddTo(results);
        }

        return new ScoringResult(rowCount, results);
    }

    private void Return(Pipeline pipeline)
    {
        if (Interlocked.CompareExchange(ref _first, pipeline, null) is not null)
        {
            if (_pool.Count < _poolCapacity)
            {
                _pool.Enqueue(pipeline);
            }
            else
            {
                pipeline.Dispose();
            }
        }

        // A pipeline returned while Dispose drained the pool would otherwise outlive the predictor.
        if (Volatile.Read(ref _disposed))
        {
            DrainPool();
        }
    }

    private void DrainPool()
    {
        Interlocked.Exchange(ref _first, null)?.Dispose();
        while (_pool.TryDequeue(out var pipeline))
        {
            pipeline.Dispose();
        }
    }

    /// <summary>One input cursor, the model's mapper bound to it, and a reader per output: used by one request at a time.</summary>
    private sealed class Pipeline : IDisposable
    {
        private readonly ColumnarLayout _layout;
        private readonly ColumnarCursor _input;
        private readonly DataViewRow _output;
        private readonly OutputReader[] _readers;
        private readonly Array?[] _columns;

        public Pipeline(MlNetPredictor predictor)
        {
            _layout = predictor._layout;
            _columns = new Array?[_layout.Kinds.Length];
            _input = new ColumnarCursor(_layout, null);
            var mapper = predictor._model.GetRowToRowMapper(predictor._layout.Schema);
            var active = predictor._outputs.Select(o => mapper.OutputSchema.GetColumnOrNull(o.Name)).OfType<DataViewSchema.Column>();
            _output = mapper.GetRow(_input, active);
            _readers = [.. predictor._outputs.Select(o => o.Bind(_output))];
        }

        public ScoringResult Score(ScoringBatch batch)
        {
            var rowCount = batch.RowCount;
            try
            {
                _layout.Bind(batch, _columns);
                _input.Reset(_columns, rowCount);
                foreach (var reader in _readers)
                {
                    reader.Start(rowCount);
                }

                for (var row = 0; row < rowCount; row++)
                {
                    _input.MoveTo(row);
                    foreach (var reader in _readers)
                    {
                        reader.Read(row);
                    }
                }

                return Collect(_readers, rowCount);
            }
            finally
            {
                // A pooled pipeline must not keep the request's arrays alive.
                Array.Clear(_columns);
                _input.Reset(_columns, 0);
            }
        }

        public void Dispose()
        {
            _output.Dispose();
            _input.Dispose();
        }
    }
}
