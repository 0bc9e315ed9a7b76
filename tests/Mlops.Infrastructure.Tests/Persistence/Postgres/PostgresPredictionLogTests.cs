using Mlops.Application.Ports;
using Mlops.Infrastructure.Persistence.Postgres;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

/// <summary>The prediction log contract on a fresh PostgreSQL database.</summary>
[RequiresPostgres]
public sealed class PostgresPredictionLogTests(PostgresTestDatabase database) : PredictionLogContract, IClassFixture<PostgresTestDatabase>, IDisposable
{
    private PostgresDatabase? _handle;

    protected override IPredictionLog CreateLog() => new PostgresPredictionLog(_handle = database.Open());

    public void Dispose() => _handle?.Dispose();
}
