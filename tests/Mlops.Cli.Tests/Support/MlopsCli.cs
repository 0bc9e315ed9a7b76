using System.Diagnostics;
using System.Text;

namespace Mlops.Cli.Tests.Support;

/// <summary>Runs the real <c>mlops</c> binary (<c>dotnet mlops.dll ...</c>) built next to these tests.</summary>
public static class MlopsCli
{
    /// <summary>A safety net against a hung process, not a performance assertion.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    private static readonly Lazy<string> s_dllPath = new(LocateDll);

    /// <summary><c>src/Mlops.Cli/bin/&lt;Configuration&gt;/&lt;tfm&gt;/mlops.dll</c>, same configuration as this test assembly.</summary>
    public static string DllPath => s_dllPath.Value;

    /// <summary>Runs <c>mlops &lt;arguments&gt;</c> to completion and captures both streams.</summary>
    public static async Task<CliResult> RunAsync(string home, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var process = new Process { StartInfo = StartInfo(home, arguments, environment) };
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"`mlops {string.Join(' ', arguments)}` did not exit within {Timeout.TotalSeconds} s and was killed.\n" +
                $"--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        return new CliResult(arguments, process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// A hermetic start: MLOPS_HOME is the caller's temp folder, CI=true for plain output, and tracking URIs
    /// inherited from the developer's shell are removed so a test never talks to a real server by accident.
    /// </summary>
    public static ProcessStartInfo StartInfo(string home, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = home,
        };
        startInfo.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "MLOPS_TRACKING_URI", "MLFLOW_TRACKING_URI", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "DOTNET_URLS", "NO_COLOR" })
        {
            startInfo.Environment.Remove(name);
        }

        startInfo.Environment["MLOPS_HOME"] = home;
        startInfo.Environment["CI"] = "true";
        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            startInfo.Environment[name] = value;
        }

        return startInfo;
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string LocateDll()
    {
        // AppContext.BaseDirectory is tests/Mlops.Cli.Tests/bin/<Configuration>/<tfm>/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var configuration = output.Parent?.Name;
        Assert.True(output.Parent?.Parent?.Name == "bin" && configuration is not null,
            $"Expected the tests to run from bin/<Configuration>/<tfm>/, not {output.FullName}");

        var root = output;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Mlops.slnx")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No Mlops.slnx above {AppContext.BaseDirectory}");
        var dll = Path.Combine(root!.FullName, "src", "Mlops.Cli", "bin", configuration!, output.Name, "mlops.dll");
        Assert.True(File.Exists(dll), $"{dll} does not exist; build src/Mlops.Cli in {configuration} first.");
        return dll;
    }
}
