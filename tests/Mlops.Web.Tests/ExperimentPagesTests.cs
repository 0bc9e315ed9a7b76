using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

public sealed class ExperimentPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    [ChromiumFact]
    public async Task Experiments_page_lists_and_searches_experiments()
    {
        var name = Api.Unique("searchable");
        await server.Http.CreateExperimentAsync(name);
        await server.Http.CreateExperimentAsync(Api.Unique("other"));
        var page = await server.NewPageAsync();

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#experiments")).ToContainTextAsync(name);

        await page.FillAsync("input[name=q]", "searchable");
        await page.ClickAsync("form.toolbar button[type=submit]");
        await Assertions.Expect(page.Locator("#experiments")).ToContainTextAsync(name);
        await Assertions.Expect(page.Locator("#experiments")).Not.ToContainTextAsync("other-");
    }
}
