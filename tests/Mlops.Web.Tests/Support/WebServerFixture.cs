using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Mlops.Infrastructure;
using Mlops.Server;

namespace Mlops.Web.Tests.Support;

/// <summary>
/// A real `mlops server` on a free Kestrel port with a temporary home, plus one headless Chromium for the class.
/// Data is made through the real HTTP API (<see cref="Http"/>), and pages are opened in <see cref="NewPageAsync"/>.
/// </summary>
public sealed class WebServerFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "mlops-web-tests-" + Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public HttpClient Http { get; private set; } = new();

    public WebApplication App => _app ?? throw new InvalidOperationException("The server has not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        _app = MlopsServer.Build(new MlopsServerOptions
        {
            Port = 0,
            Host = "127.0.0.1",
            LogLevel = LogLevel.Warning,
            Storage = new MlopsStorageOptions { Home = Home },
        });
        await _app.StartAsync();
        BaseAddress = new Uri(MlopsServer.Addresses(_app)[0].TrimEnd('/') + "/");
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
    }

    /// <summary>A fresh page in the shared browser; the test is skipped (or fails on CI) when Chromium is missing.</summary>
    public async Task<IPage> NewPageAsync()
    {
        Browsers.RequireChromium();
        if (_browser is null)
        {
            // The machine is shared with other builds: give charts time, the tests assert outcomes, not speed.
            Assertions.SetDefaultExpectTimeout(30_000);
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Browsers.ChromiumPath,
                Headless = true,
                Args = Browsers.Flags,
            });
        }

        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        // Script errors are test failures waiting to be explained: keep them visible in the test output.
        page.PageError += (_, error) => Console.Error.WriteLine($"[browser error] {page.Url}: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Console.Error.WriteLine($"[browser console] {page.Url}: {message.Text}");
            }
        };
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Http.Dispose();
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
