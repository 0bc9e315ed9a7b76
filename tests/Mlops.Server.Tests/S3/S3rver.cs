using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mlops.Server.Tests.S3;

/// <summary>
/// s3rver (an S3-compatible server on node) on a free loopback port with a temp data folder, started through
/// <c>.ci/s3rver</c>, which installs it on first use. The artifact store's own tests carry the fuller launcher;
/// this one only has to start it for the end-to-end test. Killed, and its data deleted, on dispose.
/// </summary>
public sealed partial class S3rver : IDisposable
{
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private readonly Process _process;
    private readonly string _data;

    private S3rver(Process process, string data, string endpoint)
    {
        _process = process;
        _data = data;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    [GeneratedRegex(@"S3rver listening on (?<address>[0-9.]+):(?<port>\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Why s3rver cannot run here, or null. Never skipped under CI (<c>CI=true</c>): a missing node fails there.</summary>
    public static string? SkipReason() =>
        Environment.GetEnvironmentVariable("CI") == "true"
        || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, "node")))
            ? null
            : "s3rver needs node, which is not installed here (the S3 tests run when CI=true).";

    public static async Task<S3rver> StartAsync(string repository)
    {
        var data = Directory.CreateTempSubdirectory("mlops-s3rver-").FullName;
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])[Path.Combine(repository, ".ci", "s3rver"), "-d", data, "-a", "127.0.0.1", "-p", "0", "--silent"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start .ci/s3rver.");
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    // Keep draining stdout so s3rver never blocks on a full pipe.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new S3rver(process, data, $"http://{match.Groups["address"].Value}:{match.Groups["port"].Value}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Reported below with what s3rver printed.
        }

        Stop(process, data);
        throw new InvalidOperationException("s3rver did not start: " + await errors);
    }

    public void Dispose() => Stop(_process, _data);

    private static void Stop(Process process, string data)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        Directory.Delete(data, recursive: true);
    }
}
