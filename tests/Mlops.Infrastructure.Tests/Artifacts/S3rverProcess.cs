using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.Infrastructure.Tests.Artifacts;

/// <summary>
/// A real s3rver (an S3-compatible server on node) on a free loopback port with its own temp data folder, started
/// through <c>.ci/s3rver</c>, which installs it into tests/.s3rver on first use. Killed, and its data deleted, on dispose.
/// </summary>
public sealed partial class S3rverProcess : IDisposable
{
    /// <summary>s3rver's fixed credentials.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly string _dataFolder;

    private S3rverProcess(Process process, string dataFolder, string endpoint)
    {
        _process = process;
        _dataFolder = dataFolder;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    [GeneratedRegex(@"S3rver listening on (?<address>[0-9.]+):(?<port>\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>
    /// Why the S3 tests cannot run on this machine, or null when they can. Under CI (<c>CI=true</c>) they always
    /// run, so a missing prerequisite fails them instead of hiding them.
    /// </summary>
    public static string? SkipReason()
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return null;
        }

        if (!OnPath("node"))
        {
            return "s3rver needs node, which is not installed here (the S3 tests run when CI=true).";
        }

        return File.Exists(Path.Combine(RepositoryRoot(), "tests", ".s3rver", "node_modules", "s3rver", "bin", "s3rver.js")) || OnPath("npm")
            ? null
            : "s3rver is not installed and npm is not available to install it (the S3 tests run when CI=true).";
    }

    public static async Task<S3rverProcess> StartAsync()
    {
        var data = Directory.CreateTempSubdirectory("mlops-s3rver-").FullName;
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[Path.Combine(RepositoryRoot(), ".ci", "s3rver"), "-d", data, "-a", "127.0.0.1", "-p", "0", "--silent"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start .ci/s3rver.");
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult($"http://{match.Groups["address"].Value}:{match.Groups["port"].Value}");
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"s3rver exited with code {process.ExitCode}: {Errors()}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var endpoint = await listening.Task.WaitAsync(s_startTimeout);
            return new S3rverProcess(process, data, endpoint);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Stop(process, data);
            throw new InvalidOperationException($"s3rver did not start: {e.Message} {Errors()}", e);
        }

        string Errors()
        {
            lock (errors)
            {
                return errors.ToString().Trim();
            }
        }
    }

    public void Dispose() => Stop(_process, _dataFolder);

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

    private static bool OnPath(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, command)));

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Mlops.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (Mlops.slnx) above " + AppContext.BaseDirectory);
    }
}
