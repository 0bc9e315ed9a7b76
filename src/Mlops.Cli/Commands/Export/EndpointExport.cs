using System.Globalization;
using System.Text;

namespace Mlops.Cli.Commands.Export;

/// <summary>What an exported endpoint runs: one model version served by `mlops serve` in a container.</summary>
/// <param name="Image">The container image the manifests refer to (build it from the Dockerfile and push it).</param>
/// <param name="Replicas">In-process replicas of `mlops serve` (requests scored at once), from the revision.</param>
/// <param name="Pods">Kubernetes pods of the Deployment.</param>
internal sealed record ExportSpec(string Endpoint, string ModelName, long ModelVersion, string Image, int Replicas, int Pods = 2, int Port = 8080);

/// <summary>
/// The files that run an endpoint's primary revision outside `mlops server`: a Dockerfile for an image holding the
/// `mlops` binary and the model package (so the container needs neither the tracking server nor the internet), and
/// Kubernetes manifests (Deployment with readiness and liveness probes on /ping, Service). Pure text generation.
/// </summary>
internal static class EndpointExport
{
    public const string BinaryFolder = "mlops";
    public const string ModelFolder = "model";

    public static IReadOnlyDictionary<string, string> Docker(ExportSpec spec) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Dockerfile"] = Dockerfile(spec),
        [".dockerignore"] = "*\n!" + BinaryFolder + "/\n!" + ModelFolder + "/\n",
    };

    public static IReadOnlyDictionary<string, string> Kubernetes(ExportSpec spec)
    {
        var files = new Dictionary<string, string>(Docker(spec), StringComparer.Ordinal)
        {
            ["kubernetes/deployment.yaml"] = Deployment(spec),
            ["kubernetes/service.yaml"] = Service(spec),
        };
        return files;
    }

    public static string Name(ExportSpec spec) => "mlops-" + spec.Endpoint;

    private static string Dockerfile(ExportSpec spec)
    {
        var port = spec.Port.ToString(CultureInfo.InvariantCulture);
        var replicas = spec.Replicas.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Serves {spec.ModelName} version {spec.ModelVersion} (endpoint '{spec.Endpoint}') with `mlops serve`.")
            .AppendLine("# Build: docker build -t " + spec.Image + " .")
            .AppendLine("FROM mcr.microsoft.com/dotnet/aspnet:10.0")
            .AppendLine("# LightGBM's native library needs the OpenMP runtime.")
            .AppendLine("RUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*")
            .AppendLine("COPY " + BinaryFolder + "/ /opt/mlops/")
            .AppendLine("COPY " + ModelFolder + "/ /opt/model/")
            .AppendLine("USER app")
            .AppendLine("EXPOSE " + port)
            .AppendLine(CultureInfo.InvariantCulture,
                $"ENTRYPOINT [\"dotnet\", \"/opt/mlops/mlops.dll\", \"serve\", \"--model\", \"/opt/model\", \"--host\", \"0.0.0.0\", \"--port\", \"{port}\", \"--replicas\", \"{replicas}\"]");
        return text.ToString();
    }

    private static string Deployment(ExportSpec spec)
    {
        var name = Name(spec);
        return $"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {name}
              labels:
                app.kubernetes.io/name: {name}
                app.kubernetes.io/part-of: mlops
                mlops/endpoint: {spec.Endpoint}
                mlops/model-version: "{spec.ModelVersion}"
            spec:
              replicas: {spec.Pods}
              selector:
                matchLabels:
                  app.kubernetes.io/name: {name}
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: {name}
                    app.kubernetes.io/part-of: mlops
                  annotations:
                    prometheus.io/scrape: "true"
                    prometheus.io/port: "{spec.Port}"
                    prometheus.io/path: /metrics
                spec:
                  containers:
                    - name: serve
                      image: {spec.Image}
                      ports:
                        - name: http
                          containerPort: {spec.Port}
                      readinessProbe:
                        httpGet:
                          path: /ping
                          port: http
                        initialDelaySeconds: 5
                        periodSeconds: 5
                      livenessProbe:
                        httpGet:
                          path: /ping
                          port: http
                        initialDelaySeconds: 30
                        periodSeconds: 10
                        failureThreshold: 3
                      resources:
                        requests:
                          cpu: 500m
                          memory: 512Mi
                        limits:
                          memory: 2Gi
                      securityContext:
                        runAsNonRoot: true
                        allowPrivilegeEscalation: false

            """;
    }

    private static string Service(ExportSpec spec)
    {
        var name = Name(spec);
        return $"""
            apiVersion: v1
            kind: Service
            metadata:
              name: {name}
              labels:
                app.kubernetes.io/name: {name}
                app.kubernetes.io/part-of: mlops
            spec:
              selector:
                app.kubernetes.io/name: {name}
              ports:
                - name: http
                  port: 80
                  targetPort: http

            """;
    }
}
