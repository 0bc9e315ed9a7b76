using Mlops.Application.Ports;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure.Tests.Persistence.Sqlite;

public sealed class SqlitePredictionLogTests : PredictionLogContract, IDisposable
{
    private readonly TempFolder _folder = new();
    private SqliteDatabase? _database;

    protected override IPredictionLog CreateLog() => new SqlitePredictionLog(_database = new SqliteDatabase(_folder.Combine("mlops.db")));

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}
