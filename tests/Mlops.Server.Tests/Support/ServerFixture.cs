using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Mlops.Infrastructure;

namespace Mlops.Server.Tests.Support;

/// <summary>
/// One real server per test class: Kestrel on a free port, a SQLite file and an artifact folder in a
/// temporary home that is deleted afterwards. Tests create their own experiments with unique names.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _http;

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "mlops-server-tests-" + Guid.NewGuid().ToString("N"));

    public string ArtifactsRoot => Path.Combine(Home, "artifacts");

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public HttpClient Http => _http ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _app = MlopsServer.Build(new MlopsServerOptions
        {
            Port = 0,
            Host = "127.0.0.1",
            LogLevel = LogLevel.Warning,
            Storage = new MlopsStorageOptions { Home = Home },
            ServingRefreshInterval = TimeSpan.FromMilliseconds(500),
        });
        await _app.StartAsync();
        BaseAddress = new Uri(MlopsServer.Addresses(_app)[0].TrimEnd('/') + "/");
        _http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not fail the run; the folder is under the temp directory.
        }
    }
}
