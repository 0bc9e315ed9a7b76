using Mlops.Application.Ports;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

[RequiresPostgres]
public sealed class PostgresMetricSeriesStoreTests(PostgresTestDatabase database) : MetricSeriesStoreContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private PostgresDatabase? _handle;

    protected override (ITrackingStore Tracking, IMetricSeriesStore Series) CreateStores()
    {
        _handle = database.Open();
        return (new PostgresTrackingStore(_handle), new PostgresMetricSeriesStore(_handle));
    }

    public void Dispose() => _handle?.Dispose();
}
