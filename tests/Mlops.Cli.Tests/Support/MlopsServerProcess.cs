using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Mlops.Cli.Tests.Support;

/// <summary>
/// <c>mlops server</c> as a real child process. Start returns once the server printed
/// <c>Mlops &lt;version&gt; listening on http://127.0.0.1:&lt;port&gt;</c>; dispose kills the process tree.
/// </summary>
public sealed partial class MlopsServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout;
    private readonly ConcurrentQueue<string> _stderr;

    private MlopsServerProcess(Process process, ConcurrentQueue<string> stdout, ConcurrentQueue<string> stderr, string version, string uri)
    {
        _process = process;
        _stdout = stdout;
        _stderr = stderr;
        Version = version;
        Uri = uri;
    }

    /// <summary>The version in the startup banner.</summary>
    public string Version { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c>, as printed by the server.</summary>
    public string Uri { get; }

    public string Stdout => string.Join('\n', _stdout);

    public string Stderr => string.Join('\n', _stderr);

    public static Task<MlopsServerProcess> StartAsync(string home, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartAsync(home, ["server", .. arguments], ListeningLine(), environment);

    /// <summary><c>mlops serve</c>: returns once it printed <c>Serving &lt;model&gt; on http://127.0.0.1:&lt;port&gt;</c>.</summary>
    public static Task<MlopsServerProcess> StartServeAsync(string home, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null) =>
        StartAsync(home, ["serve", .. arguments], ServingLine(), environment);

    private static async Task<MlopsServerProcess> StartAsync(string home, IReadOnlyList<string> arguments, Regex ready, IReadOnlyDictionary<string, string?>? environment)
    {
        var process = new Process { StartInfo = MlopsCli.StartInfo(home, arguments, environment), EnableRaisingEvents = true };
        var stdout = new ConcurrentQueue<string>();
        var stderr = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            stdout.Enqueue(e.Data);
            if (ready.Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(match);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                stderr.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"mlops {arguments[0]} exited before it listened."));

        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var match = await listening.Task.WaitAsync(MlopsCli.Timeout);
            return new MlopsServerProcess(process, stdout, stderr, match.Groups["version"].Value, match.Groups["uri"].Value);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Kill(process);
            process.Dispose();
            throw new InvalidOperationException(
                $"`mlops {string.Join(' ', arguments)}` did not print its listening line: {e.Message}\n" +
                $"--- stdout ---\n{string.Join('\n', stdout)}\n--- stderr ---\n{string.Join('\n', stderr)}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    [GeneratedRegex(@"^Mlops (?<version>\S+) listening on (?<uri>http://127\.0\.0\.1:(?<port>\d+))$")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^Serving (?<model>\S+) on (?<uri>http://127\.0\.0\.1:(?<port>\d+)) ")]
    private static partial Regex ServingLine();
}
