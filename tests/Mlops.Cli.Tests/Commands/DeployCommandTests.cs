using System.Net;
using System.Text;
using Mlops.Cli.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Mlops.Cli.Tests.Commands;

/// <summary>`mlops deploy` shadow, scale, configure, predictions, compare-shadow and export, and `mlops predict --endpoint`, against a real server.</summary>
public sealed class DeployCommandTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    [Fact]
    public async Task Shadow_scale_configure_and_the_prediction_log_work_from_the_command_line()
    {
        var model = await TrainAndRegisterAsync();
        var endpoint = "ep-" + model;
        (await server.RunAsync("deploy", "create", endpoint, "--model", $"models:/{model}@champion", "--replicas", "1")).ShouldSucceed();

        var shadow = (await server.RunAsync("deploy", "shadow", endpoint, "--model", $"models:/{model}@champion", "--reason", "same model, as a check")).ShouldSucceed();
        var scaled = (await server.RunAsync("deploy", "scale", endpoint, "--replicas", "3", "--json")).ShouldSucceed().Json()["endpoint"]!;
        var configured = (await server.RunAsync("deploy", "configure", endpoint, "--log-sample-rate", "0.5", "--follow-alias", "true")).ShouldSucceed();
        for (var i = 0; i < 5; i++)
        {
            using var response = await server.Http.PostAsync($"/serving/{endpoint}/invocations", new StringContent(CsvRows(1), Encoding.UTF8, "text/csv"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var predictions = await WaitForAsync(async () =>
        {
            var listed = (await server.RunAsync("deploy", "predictions", endpoint, "--json")).ShouldSucceed().Json()["predictions"]!.AsArray();
            return listed.Count >= 10 ? listed : null;
        });
        var table = (await server.RunAsync("deploy", "predictions", endpoint, "--max-results", "3")).ShouldSucceed();
        var comparison = (await server.RunAsync("deploy", "compare-shadow", endpoint)).ShouldSucceed();
        var badRate = await server.RunAsync("deploy", "configure", endpoint, "--log-sample-rate", "2");
        var badScale = await server.RunAsync("deploy", "scale", endpoint, "--replicas", "0");

        Assert.Contains("shadow", shadow.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, scaled["revisions"]![0]!["replicas"]!.GetValue<int>());
        Assert.Contains("Prediction logging 50 % of requests; alias following on.", configured.Stdout, StringComparison.Ordinal);
        Assert.Equal(5, predictions.Count(p => p!["role"]!.GetValue<string>() == "shadow"));
        Assert.Contains("primary", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("Shadow revision 2", comparison.Stdout, StringComparison.Ordinal);
        Assert.Contains("agrees on 100.00 % of rows", comparison.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, badRate.ExitCode);
        Assert.Contains("sample rate", badRate.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, badScale.ExitCode);
    }

    [Fact]
    public async Task Predict_with_an_endpoint_scores_a_csv_in_chunks_and_a_json_body_as_it_is()
    {
        var model = await TrainAndRegisterAsync();
        var endpoint = "ep-" + model;
        (await server.RunAsync("deploy", "create", endpoint, "--model", $"models:/{model}@champion")).ShouldSucceed();
        var data = Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv");
        var scored = Path.Combine(server.Home, model + "-endpoint.csv");
        var json = Path.Combine(server.Home, model + "-request.json");
        await File.WriteAllTextAsync(json, """{"dataframe_records": [{"mean_radius": 17.99}]}""");

        var csv = (await server.RunAsync("predict", "--endpoint", endpoint, "--input", data, "--output", scored)).ShouldSucceed();
        var badJson = await server.RunAsync("predict", "--endpoint", endpoint, "--input", json);
        var both = await server.RunAsync("predict", "--endpoint", endpoint, "--model", $"models:/{model}@champion", "--input", data);
        var unknown = await server.RunAsync("predict", "--endpoint", "no-such-endpoint", "--input", data);

        var lines = File.ReadAllLines(scored);
        Assert.Equal(570, lines.Length);
        Assert.EndsWith(",label,PredictedLabel,Score,Probability", lines[0], StringComparison.Ordinal);
        var correct = lines.Skip(1).Count(l => l.Split(',') is var f && (f[^4] == "1") == (f[^3] == "true"));
        Assert.True(correct > 540, $"{correct} of 569 rows predicted correctly");
        Assert.Contains("Scored 569 rows with endpoint", csv.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, badJson.ExitCode);
        Assert.Contains("mean_texture", badJson.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, both.ExitCode);
        Assert.Equal(3, unknown.ExitCode);
    }

    [Fact]
    public async Task Export_writes_a_dockerfile_kubernetes_manifests_the_model_and_the_binary()
    {
        var model = await TrainAndRegisterAsync();
        var endpoint = "ep-" + model;
        (await server.RunAsync("deploy", "create", endpoint, "--model", $"models:/{model}@champion", "--replicas", "2")).ShouldSucceed();
        var target = Path.Combine(server.Home, "export-" + model);
        var docker = Path.Combine(server.Home, "docker-" + model);

        var result = (await server.RunAsync("deploy", "export", endpoint, "--format", "kubernetes", "--output", target, "--pods", "3")).ShouldSucceed();
        var dockerOnly = (await server.RunAsync("deploy", "export", endpoint, "--format", "docker", "--output", docker)).ShouldSucceed();
        var notEmpty = await server.RunAsync("deploy", "export", endpoint, "--output", target);
        var badFormat = await server.RunAsync("deploy", "export", endpoint, "--format", "helm", "--output", Path.Combine(server.Home, "helm"));

        var dockerfile = await File.ReadAllTextAsync(Path.Combine(target, "Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains("\"serve\", \"--model\", \"/opt/model\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\", \"--replicas\", \"2\"", dockerfile, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(target, "model", "MLmodel")));
        Assert.True(File.Exists(Path.Combine(target, "mlops", "mlops.dll")));
        var deployment = Yaml(Path.Combine(target, "kubernetes", "deployment.yaml"));
        Assert.Equal("Deployment", Scalar(deployment, "kind"));
        Assert.Equal("3", Scalar(deployment, "spec", "replicas"));
        var container = (YamlMappingNode)((YamlSequenceNode)Node(deployment, "spec", "template", "spec", "containers")).Children[0];
        Assert.Equal("/ping", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/ping", Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.StartsWith($"mlops-{endpoint}:", Scalar(container, "image"), StringComparison.Ordinal);
        var service = Yaml(Path.Combine(target, "kubernetes", "service.yaml"));
        Assert.Equal("Service", Scalar(service, "kind"));
        Assert.Equal(Scalar(deployment, "spec", "selector", "matchLabels", "app.kubernetes.io/name"), Scalar(service, "spec", "selector", "app.kubernetes.io/name"));
        Assert.Contains("kubectl apply", result.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(docker, "Dockerfile")));
        Assert.False(Directory.Exists(Path.Combine(docker, "kubernetes")));
        Assert.DoesNotContain("kubectl", dockerOnly.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, notEmpty.ExitCode);
        Assert.NotEqual(0, badFormat.ExitCode);
    }

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Node(YamlMappingNode root, params string[] path) =>
        path.Aggregate((YamlNode)root, (node, key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlMappingNode root, params string[] path) => ((YamlScalarNode)Node(root, path)).Value!;

    private static string CsvRows(int count)
    {
        var rows = File.ReadLines(Path.Combine(StudiesCliTests.SamplesFolder, "data", "breast_cancer.csv")).Take(count + 1);
        return string.Join('\n', rows) + "\n";
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "not there within a minute");
            await Task.Delay(200);
        }
    }

    private async Task<string> TrainAndRegisterAsync()
    {
        var name = MlopsServerFixture.UniqueName("deploy");
        await SampleModels.TrainAndRegisterAsync(server.Home, server.TrackingUri, name);
        return name;
    }
}
