using Mlops.Application.Ports;

namespace Mlops.Infrastructure.Persistence;

/// <summary>
/// Builds a chart series from points read in step order (shared by both backends): up to <c>maxPoints</c> points are
/// kept as they are; beyond that the step range is split into <c>maxPoints / 2</c> equal buckets and each keeps its
/// lowest and highest point, in step order, so spikes and dips survive. One pass, constant memory.
/// </summary>
internal sealed class MetricSeriesBuilder(long first, long last, int maxPoints)
{
    private readonly long _width = Math.Max(1, (long)Math.Ceiling(((double)last - first + 1) / Math.Max(1, maxPoints / 2)));
    private readonly List<SeriesPoint> _raw = new(Math.Min(maxPoints, 4096));
    private readonly List<SeriesPoint> _sampled = new(Math.Min(maxPoints, 4096));
    private long _total;
    private long _bucket = -1;
    private SeriesPoint _lowest;
    private SeriesPoint _highest;

    public void Add(SeriesPoint point)
    {
        _total++;
        if (_total <= maxPoints)
        {
            _raw.Add(point);
        }

        var index = (point.Step - first) / _width;
        if (index != _bucket)
        {
            Flush();
            _bucket = index;
            _lowest = _highest = point;
        }
        else if (point.Value < _lowest.Value)
        {
            _lowest = point;
        }
        else if (point.Value > _highest.Value)
        {
            _highest = point;
        }
    }

    public MetricSeries Build()
    {
        if (_total <= maxPoints)
        {
            return new MetricSeries(_total, first, last, false, _raw);
        }

        Flush();
        _bucket = -1;
        return new MetricSeries(_total, first, last, true, _sampled);
    }

    /// <summary>Adds a finished bucket's extremes in step order; a flat bucket (one extreme) adds one point.</summary>
    private void Flush()
    {
        if (_bucket < 0)
        {
            return;
        }

        if (_lowest == _highest)
        {
            _sampled.Add(_lowest);
        }
        else if (_lowest.Step < _highest.Step || (_lowest.Step == _highest.Step && _lowest.Timestamp <= _highest.Timestamp))
        {
            _sampled.Add(_lowest);
            _sampled.Add(_highest);
        }
        else
        {
            _sampled.Add(_highest);
            _sampled.Add(_lowest);
        }
    }
}
