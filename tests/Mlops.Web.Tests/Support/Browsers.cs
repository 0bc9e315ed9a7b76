namespace Mlops.Web.Tests.Support;

/// <summary>Debian's Chromium, driven by Playwright without `playwright install`.</summary>
public static class Browsers
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("MLOPS_CHROMIUM") ?? "/usr/bin/chromium";

    public static readonly string[] Flags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    /// <summary>
    /// On a laptop without Chromium the browser tests are skipped; on CI (CI=true) a missing browser is a
    /// failure, because .ci/run installs it and a silent skip would hide a broken interface.
    /// </summary>
    public static void RequireChromium()
    {
        if (File.Exists(ChromiumPath))
        {
            return;
        }

        if (IsCi)
        {
            Assert.Fail($"Chromium not found at {ChromiumPath}; CI must install it (apt-get install -y chromium).");
        }

        Assert.Fail($"Chromium not found at {ChromiumPath}; mark browser tests with [ChromiumFact].");
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A browser test: skipped when Chromium is missing, except on CI where it runs (and fails).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browsers.ChromiumPath) && !Browsers.IsCi)
        {
            Skip = $"Chromium not found at {Browsers.ChromiumPath} (install it with apt-get install -y chromium).";
        }
    }
}
