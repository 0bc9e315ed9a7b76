using Mlops.Application.Ports;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

public sealed class SqliteMetricSeriesStoreTests : MetricSeriesStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteDatabase? _database;

    protected override (ITrackingStore Tracking, IMetricSeriesStore Series) CreateStores()
    {
        _database = new SqliteDatabase(_folder.Combine("mlops.db"));
        return (new SqliteTrackingStore(_database), new SqliteMetricSeriesStore(_database));
    }

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}
