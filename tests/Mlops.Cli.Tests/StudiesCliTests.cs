using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests;

/// <summary>
/// <c>mlops studies</c> and <c>mlops tune</c> with the real binary against a real <c>mlops server</c> process and
/// its embedded worker (the class fixture). Tuning trains a copy of the shipped tuning sample, written to a temp
/// folder with absolute dataset paths. Waits have a generous timeout and assert states, never durations.
/// </summary>
public sealed class StudiesCliTests(MlopsServerFixture server) : IClassFixture<MlopsServerFixture>
{
    /// <summary>A safety net against a hung tuning run, not a performance assertion.</summary>
    private static readonly TimeSpan s_tuneTimeout = TimeSpan.FromMinutes(4);

    private const string Space = """[{"name":"x","type":"float","low":0,"high":10},{"name":"n","type":"int","low":1,"high":5},{"name":"kind","type":"categorical","choices":["a","b"]}]""";

    // ---------------------------------------------------------------- mlops studies

    [Fact]
    public async Task Studies_create_ask_tell_get_trials_and_best_round_trip_as_json()
    {
        var name = MlopsServerFixture.UniqueName("cli-study");

        var created = (await server.RunAsync("studies", "create", name, "--space", Space, "--direction", "minimize", "--sampler", "random", "--seed", "5", "--json"))
            .ShouldSucceed().Json()["study"]!;
        var first = (await server.RunAsync("studies", "ask", name, "--json")).ShouldSucceed().Json()["trial"]!;
        var toldFirst = (await server.RunAsync("studies", "tell", name, "0", "2.5")).ShouldSucceed();
        var second = (await server.RunAsync("studies", "ask", name, "--json")).ShouldSucceed().Json()["trial"]!;
        var toldSecond = (await server.RunAsync("studies", "tell", name, "1", "0.5")).ShouldSucceed();
        var third = (await server.RunAsync("studies", "ask", name, "--json")).ShouldSucceed().Json()["trial"]!;
        var pruned = (await server.RunAsync("studies", "tell", name, "2", "--state", "pruned")).ShouldSucceed();
        var study = (await server.RunAsync("studies", "get", name, "--json")).ShouldSucceed().Json()["study"]!;
        var trials = (await server.RunAsync("studies", "trials", name, "--json")).ShouldSucceed().Json()["trials"]!.AsArray();
        var best = (await server.RunAsync("studies", "best", name, "--json")).ShouldSucceed().Json()["trials"]!.AsArray();

        Assert.Equal(name, created["name"]!.GetValue<string>());
        Assert.Equal("running", created["status"]!.GetValue<string>());
        Assert.Equal("random", created["sampler"]!.GetValue<string>());
        Assert.Equal(0, first["number"]!.GetValue<int>());
        Assert.Equal(1, second["number"]!.GetValue<int>());
        Assert.Equal(2, third["number"]!.GetValue<int>());
        AssertInSpace(first);
        AssertInSpace(second);
        Assert.Equal("Trial 0 is complete: 2.5.", toldFirst.Stdout.Trim());
        Assert.Equal("Trial 1 is complete: 0.5.", toldSecond.Stdout.Trim());
        Assert.Equal("Trial 2 is pruned.", pruned.Stdout.Trim());
        Assert.Equal(3, study["total_trials"]!.GetValue<int>());
        Assert.Equal(2, study["trial_counts"]!["complete"]!.GetValue<int>());
        Assert.Equal(1, study["trial_counts"]!["pruned"]!.GetValue<int>());
        Assert.Equal(1, study["best_trials"]![0]!["number"]!.GetValue<int>());
        Assert.Equal([0, 1, 2], trials.Select(t => t!["number"]!.GetValue<int>()));
        Assert.Equal(["complete", "complete", "pruned"], trials.Select(t => t!["state"]!.GetValue<string>()));
        Assert.Equal(2.5, trials[0]!["values"]![0]!.GetValue<double>());
        Assert.Equal(first["params"]!.ToJsonString(), trials[0]!["params"]!.ToJsonString());
        var winner = Assert.Single(best)!;
        Assert.Equal(1, winner["number"]!.GetValue<int>());
        Assert.Equal(0.5, winner["values"]![0]!.GetValue<double>());
    }

    [Fact]
    public async Task Studies_get_trials_and_best_print_tables()
    {
        var name = MlopsServerFixture.UniqueName("cli-table");
        (await server.RunAsync("studies", "create", name, "--space", Space, "--direction", "maximize")).ShouldSucceed();
        (await server.RunAsync("studies", "ask", name)).ShouldSucceed();
        (await server.RunAsync("studies", "tell", name, "0", "4")).ShouldSucceed();
        (await server.RunAsync("studies", "ask", name)).ShouldSucceed();

        var fields = (await server.RunAsync("studies", "get", name)).ShouldSucceed().Table().AsFields();
        var trials = (await server.RunAsync("studies", "trials", name)).ShouldSucceed().Table();
        var best = (await server.RunAsync("studies", "best", name)).ShouldSucceed().Table();

        Assert.Equal(name, fields["Study"]);
        Assert.Equal("running", fields["Status"]);
        Assert.StartsWith("2: 1 complete", fields["Trials"], StringComparison.Ordinal);
        Assert.Equal("4", fields["Best trial 0"]);
        Assert.Equal(["complete", "running"], trials.Column("State"));
        Assert.Equal("4", trials.Cell("0", "Best so far"));
        Assert.Equal("4", best.Cell("0", "Value"));
    }

    [Fact]
    public async Task Studies_create_with_an_invalid_space_exits_4_naming_the_parameter()
    {
        var name = MlopsServerFixture.UniqueName("cli-bad-space");

        var result = (await server.RunAsync("studies", "create", name, "--space", """[{"name":"alpha","type":"float","low":3,"high":1}]""")).ShouldExitWith(4);
        var get = (await server.RunAsync("studies", "get", name)).ShouldExitWith(3);

        Assert.Contains("'alpha'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(name, get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Studies_tell_of_a_finished_trial_exits_4_and_of_an_unknown_study_exits_3()
    {
        var name = MlopsServerFixture.UniqueName("cli-twice");
        (await server.RunAsync("studies", "create", name, "--space", Space)).ShouldSucceed();
        (await server.RunAsync("studies", "ask", name)).ShouldSucceed();
        (await server.RunAsync("studies", "tell", name, "0", "1")).ShouldSucceed();

        var again = (await server.RunAsync("studies", "tell", name, "0", "2")).ShouldExitWith(4);
        var unknown = (await server.RunAsync("studies", "tell", MlopsServerFixture.UniqueName("nobody"), "0", "1")).ShouldExitWith(3);
        var trials = (await server.RunAsync("studies", "trials", name, "--json")).ShouldSucceed().Json()["trials"]!.AsArray();

        Assert.Contains("already complete", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("No study named", unknown.Stderr, StringComparison.Ordinal);
        Assert.Equal(1.0, Assert.Single(trials)!["values"]![0]!.GetValue<double>());
    }

    // ---------------------------------------------------------------- mlops tune

    [Fact]
    public async Task Tune_with_three_trials_two_at_a_time_exits_0_and_prints_the_best_trial()
    {
        using var folder = new TempDirectory();
        var model = MlopsServerFixture.UniqueName("tuned");
        var spec = WriteSpec(folder.Path, model);
        var name = MlopsServerFixture.UniqueName("cli-tune");

        var result = (await RunLongAsync("tune", spec, "--trials", "3", "--parallel", "2", "--name", name)).ShouldSucceed();
        var study = (await server.RunAsync("studies", "get", name, "--json")).ShouldSucceed().Json()["study"]!;
        var trials = (await server.RunAsync("studies", "trials", name, "--json")).ShouldSucceed().Json()["trials"]!.AsArray();

        Assert.Contains($"Study '{name}': 3 trials, 2 at a time", result.Stdout, StringComparison.Ordinal);
        var summary = AsciiTable.Parse(string.Join('\n', result.Stdout.Split('\n').SkipWhile(l => !l.StartsWith('+')))).AsFields();
        Assert.Equal("completed", summary["Status"]);
        Assert.StartsWith("3 of 3: 3 complete", summary["Trials"], StringComparison.Ordinal);
        var bestNumber = study["best_trials"]![0]!["number"]!.GetValue<int>();
        var bestValue = study["best_trials"]![0]!["values"]![0]!.GetValue<double>();
        Assert.Equal(bestValue.ToString("G6", CultureInfo.InvariantCulture), summary[$"Best trial {bestNumber}"]);
        Assert.Equal(study["best_trials"]![0]!["run_id"]!.GetValue<string>(), summary["run"]);
        for (var number = 0; number < 3; number++)
        {
            Assert.Contains($"trial {number,3} ", result.Stdout, StringComparison.Ordinal);
        }

        Assert.Equal("completed", study["status"]!.GetValue<string>());
        Assert.Equal(["complete", "complete", "complete"], trials.Select(t => t!["state"]!.GetValue<string>()));
        Assert.Equal(bestValue, trials.Max(t => t!["values"]![0]!.GetValue<double>()));
        var versions = (await server.RunAsync("models", "versions", model, "--json")).ShouldSucceed().Json();
        Assert.Single(versions["model_versions"]!.AsArray());
    }

    [Fact]
    public async Task Tune_with_a_bad_range_exits_4_naming_the_field_and_starts_no_study()
    {
        using var folder = new TempDirectory();
        var spec = WriteSpec(folder.Path, "never-registered", s => s.Replace("{low: 4, high: 64}", "{low: 64, high: 4}", StringComparison.Ordinal));
        var name = MlopsServerFixture.UniqueName("cli-bad-tune");

        var result = (await server.RunAsync("tune", spec, "--trials", "2", "--name", name)).ShouldExitWith(4);
        var get = (await server.RunAsync("studies", "get", name)).ShouldExitWith(3);

        Assert.Contains("number_of_leaves", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Study '", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(name, get.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tune_with_a_missing_spec_file_exits_4_and_names_the_path()
    {
        var missing = Path.Combine(server.Home, "no-such-tune-spec.yaml");

        var result = (await server.RunAsync("tune", missing)).ShouldExitWith(4);

        Assert.Contains("no-such-tune-spec.yaml", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tune_with_an_unreadable_timeout_exits_4_naming_the_option()
    {
        using var folder = new TempDirectory();
        var spec = WriteSpec(folder.Path, "never-registered");

        var result = (await server.RunAsync("tune", spec, "--timeout", "soon", "--name", MlopsServerFixture.UniqueName("cli-timeout"))).ShouldExitWith(4);

        Assert.Contains("--timeout", result.Stderr, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- helpers

    private static void AssertInSpace(JsonNode trial)
    {
        var parameters = trial["params"]!;
        Assert.InRange(parameters["x"]!.GetValue<double>(), 0, 10);
        Assert.InRange(parameters["n"]!.GetValue<long>(), 1, 5);
        Assert.Contains(parameters["kind"]!.GetValue<string>(), new[] { "a", "b" });
    }

    /// <summary>
    /// A copy of the shipped tuning sample in <paramref name="folder"/>: absolute dataset paths (so the spec does not
    /// depend on where it lies), a model name of the test's own, and fewer boosting iterations to keep trials short.
    /// </summary>
    internal static string WriteSpec(string folder, string model, Func<string, string>? edit = null)
    {
        var data = Path.Combine(SamplesFolder, "data");
        var text = File.ReadAllText(Path.Combine(SamplesFolder, "specs", "breast-cancer-lightgbm-tune.yaml"));
        foreach (var (original, replacement) in new[]
        {
            ("path: ../data/breast_cancer.csv", "path: " + Path.Combine(data, "breast_cancer.csv")),
            ("folds_file: ../data/breast_cancer.folds.csv", "folds_file: " + Path.Combine(data, "breast_cancer.folds.csv")),
            ("number_of_iterations: 100", "number_of_iterations: 20"),
            ("model: breast-cancer-tuned", "model: " + model),
        })
        {
            Assert.Contains(original, text, StringComparison.Ordinal);
            text = text.Replace(original, replacement, StringComparison.Ordinal);
        }

        var path = Path.Combine(folder, "tune.yaml");
        File.WriteAllText(path, edit is null ? text : edit(text));
        return path;
    }

    internal static string SamplesFolder { get; } = FindSamplesFolder();

    private static string FindSamplesFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return Path.Combine(directory.FullName, "samples");
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }

    /// <summary>Like <see cref="MlopsServerFixture.RunAsync"/>, with a hang guard long enough for training trials.</summary>
    private async Task<CliResult> RunLongAsync(params string[] arguments)
    {
        string[] all = [.. arguments, "--tracking-uri", server.TrackingUri];
        using var process = new Process { StartInfo = MlopsCli.StartInfo(server.Home, all) };
        process.Start();
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_tuneTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"`mlops {string.Join(' ', all)}` did not exit within {s_tuneTimeout.TotalMinutes} min and was killed.\n" +
                $"--- stdout ---\n{await stdout}\n--- stderr ---\n{await stderr}");
        }

        return new CliResult(all, process.ExitCode, await stdout, await stderr);
    }
}
