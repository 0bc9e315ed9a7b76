using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.Commands;

/// <summary>
/// <c>mlops serve</c> as a real process: a LightGBM model trained and registered through a real server, resolved by
/// its alias, served with MLflow's scoring protocol, and refused input that does not fit its signature.
/// </summary>
public sealed class ServeCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    private static readonly string[] s_featureNames = File.ReadLines(Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv")).First().Split(',')[..^1];

    [Fact]
    public async Task Serve_scores_a_registered_model_by_alias_with_every_mlflow_input_format_and_refuses_bad_input()
    {
        var model = await TrainAndRegisterAsync();
        await using var serving = await MlopsServerProcess.StartServeAsync(server.Home, ["--model", $"models:/{model}@champion", "--port", "0", "--tracking-uri", server.TrackingUri]);
        using var http = new HttpClient { BaseAddress = new Uri(serving.Uri) };
        var row = File.ReadLines(Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv")).Skip(1).First().Split(',')[..^1];

        var split = $$$"""{"dataframe_split": {"columns": [{{{string.Join(',', s_featureNames.Select(n => $"\"{n}\""))}}}], "data": [[{{{string.Join(',', row)}}}]]}}""";
        var records = $$$"""{"dataframe_records": [{ {{{string.Join(',', s_featureNames.Select((n, i) => $"\"{n}\": {row[i]}"))}}} }]}""";
        var csv = string.Join(',', s_featureNames) + "\n" + string.Join(',', row) + "\n";

        var fromSplit = await PostAsync(http, split, "application/json");
        var fromRecords = await PostAsync(http, records, "application/json");
        var fromCsv = await PostAsync(http, csv, "text/csv");

        Assert.Equal(HttpStatusCode.OK, fromSplit.Status);
        var prediction = JsonNode.Parse(fromSplit.Body)!["predictions"]!.AsArray();
        var first = Assert.Single(prediction)!;
        Assert.False(first["PredictedLabel"]!.GetValue<bool>(), fromSplit.Body);   // the first patient's tumour is malignant (label 0)
        Assert.InRange(first["Probability"]!.GetValue<double>(), 0, 0.5);
        Assert.Equal(fromSplit.Body, fromRecords.Body);
        Assert.Equal(fromSplit.Body, fromCsv.Body);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ping")).StatusCode);
        Assert.Contains("\"status\":\"ok\"", await http.GetStringAsync("/health"), StringComparison.Ordinal);

        var missing = await PostAsync(http, split.Replace($"\"{s_featureNames[3]}\"", "\"not_a_feature\"", StringComparison.Ordinal), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, missing.Status);
        Assert.Contains(s_featureNames[3], missing.Body, StringComparison.Ordinal);
        Assert.Contains("BAD_REQUEST", missing.Body, StringComparison.Ordinal);
        var wrongType = await PostAsync(http, records.Replace($"\"{s_featureNames[0]}\": {row[0]}", $"\"{s_featureNames[0]}\": \"big\"", StringComparison.Ordinal), "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.Status);
        Assert.Contains(s_featureNames[0], wrongType.Body, StringComparison.Ordinal);
        var malformed = await PostAsync(http, "{\"dataframe_split\": {", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Status);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("mlops_serving_requests_total{endpoint=\"serve\",revision=\"0\",code=\"200\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("mlops_serving_requests_total{endpoint=\"serve\",revision=\"0\",code=\"400\"} 3", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_scores_a_csv_file_row_by_row_and_names_the_row_and_column_of_bad_input()
    {
        var model = await TrainAndRegisterAsync();
        var data = Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv");
        var scored = Path.Combine(server.Home, model + "-scored.csv");

        var result = (await server.RunAsync("predict", "--model", $"models:/{model}@champion", "--input", data, "--output", scored)).ShouldSucceed();

        var lines = File.ReadAllLines(scored);
        Assert.Equal(570, lines.Length);
        Assert.EndsWith(",label,PredictedLabel,Score,Probability", lines[0], StringComparison.Ordinal);
        var correct = lines.Skip(1).Count(l => l.Split(',') is var f && (f[^4] == "1") == (f[^3] == "true"));
        Assert.True(correct > 540, $"{correct} of 569 rows predicted correctly");
        Assert.Contains("Scored 569 rows", result.Stderr, StringComparison.Ordinal);

        var broken = Path.Combine(server.Home, model + "-broken.csv");
        var rows = File.ReadAllLines(data);
        rows[3] = "oops" + rows[3][rows[3].IndexOf(',', StringComparison.Ordinal)..];
        await File.WriteAllLinesAsync(broken, rows);
        var failed = await server.RunAsync("predict", "--model", $"models:/{model}@champion", "--input", broken, "--output", scored);

        Assert.Equal(4, failed.ExitCode);
        Assert.Contains(s_featureNames[0], failed.Stderr, StringComparison.Ordinal);
        Assert.Contains("row 2", failed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_create_serves_the_model_from_the_server_and_delete_stops_it()
    {
        var model = await TrainAndRegisterAsync();
        var endpoint = "ep-" + model;
        var row = File.ReadLines(Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv")).Take(2).ToArray();
        var csv = row[0] + "\n" + row[1] + "\n";

        var created = (await server.RunAsync("deploy", "create", endpoint, "--model", $"models:/{model}@champion", "--reason", "first", "--json")).ShouldSucceed().Json()["endpoint"]!;
        var served = await PostAsync(server.Http, csv, "text/csv", $"/serving/{endpoint}/invocations");
        var shown = (await server.RunAsync("deploy", "get", endpoint)).ShouldSucceed();
        var listed = (await server.RunAsync("deploy", "list")).ShouldSucceed();
        (await server.RunAsync("deploy", "delete", endpoint)).ShouldSucceed();
        var gone = await PostAsync(server.Http, csv, "text/csv", $"/serving/{endpoint}/invocations");
        var rollback = await server.RunAsync("deploy", "rollback", "no-such-endpoint");

        Assert.Equal(100, created["traffic"]![0]!["percent"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, served.Status);
        Assert.Contains("\"PredictedLabel\":false", served.Body, StringComparison.Ordinal);
        Assert.Contains($"Endpoint '{endpoint}' (active): traffic r1 100%", shown.Stdout, StringComparison.Ordinal);
        Assert.Contains(endpoint, listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(3, rollback.ExitCode);
    }

    [Fact]
    public async Task Serve_fails_with_not_found_for_an_unknown_model()
    {
        var result = await server.RunAsync("serve", "--model", "models:/no-such-model@champion", "--port", "0");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no-such-model", result.Stderr, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(HttpClient http, string body, string contentType, string path = "/invocations")
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var response = await http.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> TrainAndRegisterAsync()
    {
        var name = MlopsServerFixture.UniqueName("serve");
        await SampleModels.TrainAndRegisterAsync(server.Home, server.TrackingUri, name);
        return name;
    }
}
