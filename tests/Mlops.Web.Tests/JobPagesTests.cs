using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

/// <summary>The fixture's server runs its in-process worker, so a long noop job is queued or running when the page cancels it.</summary>
public sealed class JobPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Cancel_a_queued_job_from_the_list_then_retry_it_and_cancel_the_retry_from_its_page()
    {
        var submitted = await server.Http.PostAsync("api/v1/jobs", new JsonObject { ["kind"] = "noop", ["payload"] = new JsonObject { ["sleep_ms"] = 60_000 } });
        var id = (long)submitted["job"]!["id"]!;
        var page = await server.NewPageAsync();

        await page.GotoAsync("/jobs");
        var row = page.Locator($"#jobs tr[data-job='{id}']");
        await Assertions.Expect(row.Locator(".status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("queued|running"));
        await row.Locator("button[data-action=cancel]").ClickAsync();

        // A running job stops at its worker's next check; the list refreshes itself while jobs are live.
        await Assertions.Expect(page.Locator($"#jobs tr[data-job='{id}'] .status")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
        Assert.Equal("cancelled", (string)(await server.Http.GetJsonAsync($"api/v1/jobs/{id}"))["job"]!["status"]!);

        await page.Locator($"#jobs tr[data-job='{id}'] button[data-action=retry]").ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/jobs/", StringComparison.Ordinal) && !url.EndsWith($"/jobs/{id}", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#job-status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("queued|running"));
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sleep_ms");

        await page.ClickAsync("button[data-action=cancel]");
        await Assertions.Expect(page.Locator("#job-status")).ToHaveTextAsync("cancelled", new() { Timeout = 60_000 });
    }
}
