using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Mlops.Infrastructure;
using Npgsql;

namespace Mlops.Server.Tests.Postgres;

/// <summary>
/// Two real servers (Kestrel on free ports, each with its own embedded worker) sharing one fresh PostgreSQL
/// database through <c>--backend-store-uri postgresql://...</c>, as two machines behind a load balancer would.
/// The database is dropped afterwards.
/// </summary>
public sealed class PostgresServersFixture : IAsyncLifetime
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<HttpClient> _clients = [];
    private string? _admin;

    public string DatabaseName { get; } = "mlops_server_test_" + Guid.NewGuid().ToString("N")[..16];

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "mlops-pg-server-tests-" + Guid.NewGuid().ToString("N"));

    public string BackendStoreUri { get; private set; } = "";

    public IReadOnlyList<HttpClient> Servers => _clients;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null)
        {
            return;
        }

        _admin = PostgresTestServer.RequireConnectionString();
        await AdminAsync($"CREATE DATABASE \"{DatabaseName}\"");
        var settings = new NpgsqlConnectionStringBuilder(_admin);
        var password = string.IsNullOrEmpty(settings.Password) ? "" : ":" + Uri.EscapeDataString(settings.Password);
        BackendStoreUri = $"postgresql://{Uri.EscapeDataString(settings.Username ?? "postgres")}{password}@{settings.Host}:{settings.Port}/{DatabaseName}?application_name=mlops-server-tests";
        Directory.CreateDirectory(Home);
        for (var i = 0; i < 2; i++)
        {
            var app = MlopsServer.Build(new MlopsServerOptions
            {
                Port = 0,
                Host = "127.0.0.1",
                LogLevel = LogLevel.Warning,
                Storage = new MlopsStorageOptions { Home = Home, BackendStoreUri = BackendStoreUri },
                Worker = new Worker.WorkerOptions { Concurrency = 2, PollInterval = TimeSpan.FromMilliseconds(100) },
            });
            await app.StartAsync();
            _apps.Add(app);
            _clients.Add(new HttpClient { BaseAddress = new Uri(MlopsServer.Addresses(app)[0].TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(2) });
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (_admin is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)");
        }

        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_admin) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
