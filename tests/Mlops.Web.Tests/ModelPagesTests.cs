using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Mlops.Web.Tests.Support;

namespace Mlops.Web.Tests;

public sealed class ModelPagesTests(WebServerFixture server) : IClassFixture<WebServerFixture>
{
    private static readonly byte[] s_mlmodel = Encoding.UTF8.GetBytes("""
        artifact_path: model
        flavors:
          onnx:
            data: model.onnx
            onnx_version: 1.15.0
        signature:
          inputs: '[{"name": "sepal_length", "type": "double"}, {"name": "petal_width", "type": "double"}]'
          outputs: '[{"type": "long"}]'
        mlflow_version: 2.10.2
        model_uuid: 0f1e2d3c4b5a49e8a7b6c5d4e3f2a1b0
        utc_time_created: '2024-01-31 12:34:56.789012'

        """);

    private async Task<(string Model, string RunId)> RegisterAsync()
    {
        var experiment = await server.Http.CreateExperimentAsync(Api.Unique("registry"));
        var run = await server.Http.CreateRunAsync(experiment, "training-run");
        await server.Http.PostAsync(Api.Mlflow + "runs/log-inputs", new JsonObject
        {
            ["run_id"] = run,
            ["datasets"] = new JsonArray(new JsonObject
            {
                ["dataset"] = new JsonObject { ["name"] = "iris", ["digest"] = "abc123", ["source_type"] = "local", ["source"] = "iris.csv" },
            }),
        });
        await server.Http.UploadAsync(run, "model/MLmodel", s_mlmodel);
        await server.Http.UploadAsync(run, "model/model.onnx", [1, 2, 3, 4]);
        var model = Api.Unique("classifier");
        await server.Http.PostAsync(Api.Mlflow + "registered-models/create", new JsonObject { ["name"] = model });
        await server.Http.PostAsync(Api.Mlflow + "model-versions/create", new JsonObject { ["name"] = model, ["source"] = $"runs:/{run}/model", ["run_id"] = run });
        return (model, run);
    }

    [ChromiumFact]
    public async Task Set_an_alias_and_transition_a_stage_from_the_version_page()
    {
        var (model, run) = await RegisterAsync();
        var page = await server.NewPageAsync();

        await page.GotoAsync("/models");
        await page.ClickAsync($"#models a:text-is('{model}')");
        await page.ClickAsync("#versions a:text-is('v1')");
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("training-run");
        await Assertions.Expect(page.Locator("#lineage")).ToContainTextAsync("iris");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("sepal_length");

        await page.FillAsync("#set-alias-form input[name=AliasName]", "champion");
        await page.ClickAsync("#set-alias-form button[type=submit]");
        await Assertions.Expect(page.Locator("#version-aliases")).ToHaveTextAsync("@champion");

        await page.SelectOptionAsync("#transition-form select[name=Stage]", "Production");
        await page.ClickAsync("#transition-form button[type=submit]");
        await Assertions.Expect(page.Locator("#version-stage")).ToHaveTextAsync("Production");

        // The API sees what the page did.
        var byAlias = await server.Http.GetJsonAsync($"{Api.Mlflow}registered-models/alias?name={model}&alias=champion");
        Assert.Equal("1", (string)byAlias["model_version"]!["version"]!);
        Assert.Equal(run, (string)byAlias["model_version"]!["run_id"]!);
        Assert.Equal("Production", (string)byAlias["model_version"]!["current_stage"]!);
    }

    [Fact]
    public async Task A_form_post_without_the_antiforgery_token_is_refused()
    {
        var (model, _) = await RegisterAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "set-alias", ["AliasName"] = "sneaky" });

        using var response = await server.Http.PostAsync($"models/{model}/versions/1", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var after = await server.Http.GetAsync($"{Api.Mlflow}registered-models/alias?name={model}&alias=sneaky");
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }
}
