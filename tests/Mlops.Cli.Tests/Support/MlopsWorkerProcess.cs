using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Mlops.Cli.Tests.Support;

/// <summary>
/// <c>mlops worker</c> as a child process. Start returns once it printed its id
/// (<c>Worker &lt;id&gt; on &lt;store&gt;, ...</c>); dispose kills it if it still runs.
/// </summary>
public sealed partial class MlopsWorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;

    private MlopsWorkerProcess(Process process, ConcurrentQueue<string> output, string workerId)
    {
        _process = process;
        _output = output;
        WorkerId = workerId;
    }

    /// <summary>The lease owner this worker writes on the jobs it claims.</summary>
    public string WorkerId { get; }

    /// <summary>Both streams, for failure messages and log assertions.</summary>
    public string Output => string.Join('\n', _output);

    public static async Task<MlopsWorkerProcess> StartAsync(string home, IReadOnlyList<string> arguments)
    {
        var process = new Process { StartInfo = MlopsCli.StartInfo(home, ["worker", .. arguments]), EnableRaisingEvents = true };
        var output = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (BannerLine().Match(e.Data) is { Success: true } match)
            {
                started.TrySetResult(match.Groups["id"].Value);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException("mlops worker exited before it started."));
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            return new MlopsWorkerProcess(process, output, await started.Task.WaitAsync(MlopsCli.Timeout));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Kill(process);
            process.Dispose();
            throw new InvalidOperationException($"`mlops worker {string.Join(' ', arguments)}` did not start: {e.Message}\n{string.Join('\n', output)}", e);
        }
    }

    /// <summary>SIGKILL: the worker gets no chance to hand its jobs back.</summary>
    public async Task KillAsync()
    {
        Kill(_process);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager or <c>docker stop</c> sends it (POSIX only, like these tests' CI).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(MlopsCli.Timeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"mlops worker did not exit within {MlopsCli.Timeout.TotalSeconds} s\n{Output}");
        }

        // The parameterless wait also drains the redirected streams, so Output is complete.
        await _process.WaitForExitAsync();
        return _process.ExitCode;
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

    [GeneratedRegex(@"^Worker (?<id>\S+) on ")]
    private static partial Regex BannerLine();
}
