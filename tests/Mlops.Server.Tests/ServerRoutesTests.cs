using System.Net;
using System.Text.Json.Nodes;
using Mlops.Server.Tests.Support;

namespace Mlops.Server.Tests;

public sealed class ServerRoutesTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private readonly HttpClient _http = server.Http;

    /// <summary>The 23 tracking RPCs of mlflow-endpoints.md (search experiments twice: POST and GET) and the proxied artifact ones.</summary>
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "mlflow/experiments/get-by-name" },
        { "POST", "mlflow/experiments/create" },
        { "POST", "mlflow/experiments/search" },
        { "GET", "mlflow/experiments/search" },
        { "GET", "mlflow/experiments/get" },
        { "POST", "mlflow/experiments/delete" },
        { "POST", "mlflow/experiments/restore" },
        { "POST", "mlflow/experiments/update" },
        { "POST", "mlflow/runs/create" },
        { "POST", "mlflow/runs/update" },
        { "POST", "mlflow/runs/delete" },
        { "POST", "mlflow/runs/restore" },
        { "POST", "mlflow/runs/log-metric" },
        { "POST", "mlflow/runs/log-parameter" },
        { "POST", "mlflow/experiments/set-experiment-tag" },
        { "POST", "mlflow/runs/set-tag" },
        { "POST", "mlflow/runs/delete-tag" },
        { "GET", "mlflow/runs/get" },
        { "POST", "mlflow/runs/search" },
        { "GET", "mlflow/artifacts/list" },
        { "GET", "mlflow/metrics/get-history" },
        { "POST", "mlflow/runs/log-batch" },
        { "POST", "mlflow/runs/log-model" },
        { "POST", "mlflow/runs/log-inputs" },
        { "GET", "mlflow/metrics/get-history-bulk" },
        { "GET", "mlflow-artifacts/artifacts" },
        { "GET", "mlflow-artifacts/artifacts/0/missing.txt" },
        { "PUT", "mlflow-artifacts/artifacts/0/route-check.txt" },
        { "DELETE", "mlflow-artifacts/artifacts/0/missing.txt" },
        { "POST", "mlflow-artifacts/mpu/create/0/x.bin" },
        { "POST", "mlflow-artifacts/mpu/complete/0/x.bin" },
        { "POST", "mlflow-artifacts/mpu/abort/0/x.bin" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_endpoint_is_served_under_both_prefixes_and_answers_in_json(string method, string path)
    {
        foreach (var prefix in new[] { "api/2.0/", "ajax-api/2.0/" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), prefix + path);
            if (method is "POST" or "PUT")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.False(response.StatusCode == HttpStatusCode.NotFound && body.Contains("ENDPOINT_NOT_FOUND", StringComparison.Ordinal), $"{method} {prefix}{path}: {body}");
            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "", StringComparison.Ordinal);
            Assert.NotNull(JsonNode.Parse(body));
        }
    }

    [Fact]
    public async Task Health_answers_OK()
    {
        using var response = await _http.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("OK", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Version_answers_the_server_version()
    {
        var version = await _http.GetStringAsync("version");

        Assert.Equal(MlopsServer.Version, version);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public async Task Openapi_document_describes_the_mlflow_routes()
    {
        var document = JsonNode.Parse(await _http.GetStringAsync("openapi/v1.json"))!;

        Assert.StartsWith("3.", (string)document["openapi"]!, StringComparison.Ordinal);
        Assert.Equal("Mlops API", (string)document["info"]!["title"]!);
        var paths = document["paths"]!.AsObject();
        Assert.Contains("/api/2.0/mlflow/runs/log-batch", paths.Select(p => p.Key));
        Assert.Contains("/api/2.0/mlflow/experiments/create", paths.Select(p => p.Key));
        Assert.NotNull(paths["/api/2.0/mlflow/runs/log-batch"]!["post"]!["requestBody"]!["content"]!["application/json"]);
    }

    [Fact]
    public async Task Docs_serve_the_scalar_page()
    {
        using var response = await _http.GetAsync("docs");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("scalar", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Home_page_links_to_docs_and_health()
    {
        var html = await _http.GetStringAsync("");

        Assert.Contains("/docs", html, StringComparison.Ordinal);
        Assert.Contains("/health", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "api/2.0/mlflow/nope")]
    [InlineData("GET", "ajax-api/2.0/mlflow/nope")]
    [InlineData("POST", "api/2.0/mlflow/runs/nope")]
    [InlineData("GET", "api/2.1/mlflow/runs/get")]
    [InlineData("GET", "api/2.0/mlflow/runs/create")]
    [InlineData("POST", "api/2.0/mlflow/runs/get")]
    [InlineData("PATCH", "api/2.0/mlflow/runs/update")]
    public async Task Unknown_api_routes_are_404_endpoint_not_found_in_json(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);

        (await ApiResponse.ReadAsync(response)).Fails(HttpStatusCode.NotFound, "ENDPOINT_NOT_FOUND");
    }

    [Theory]
    [InlineData("PUT", "/api/2.0/mlflow-artifacts/artifacts/")]
    [InlineData("DELETE", "/api/2.0/mlflow-artifacts/artifacts/")]
    [InlineData("DELETE", "/api/2.0/mlflow-artifacts/artifacts")]
    public async Task An_empty_artifact_path_is_refused_in_mlflow_error_format(string method, string target)
    {
        var response = await RawHttp.SendAsync(server.BaseAddress, method, target, method == "PUT" ? [1] : null);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("INVALID_PARAMETER_VALUE", (string?)JsonNode.Parse(response.Text)?["error_code"]);
    }

    [Fact]
    public async Task Responses_are_compact_snake_case_json_without_nulls()
    {
        var runId = await _http.CreateRunIdAsync(await _http.CreateExperimentAsync("format"));

        var body = (await _http.GetApiAsync(Routes.Mlflow + "runs/get?run_id=" + runId)).Body;

        Assert.DoesNotContain("null", body, StringComparison.Ordinal);
        Assert.DoesNotContain("runId", body, StringComparison.Ordinal);
        Assert.Contains("\"run_id\"", body, StringComparison.Ordinal);
        Assert.Contains("\"artifact_uri\"", body, StringComparison.Ordinal);
        Assert.Contains("\"lifecycle_stage\"", body, StringComparison.Ordinal);
    }
}
