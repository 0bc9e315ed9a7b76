using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Mlops.Client;
using Mlops.Client.Contracts;
using Mlops.Server.Tests.Support;
using static Mlops.Server.Tests.Support.MlflowHttp;

namespace Mlops.Server.Tests.Studies;

/// <summary>
/// Hyperparameter studies through the real HTTP API (Kestrel on a temp SQLite file): ask/tell studies driven by the
/// .NET client, malformed input sent raw and answered with problem details, and a tuning study whose trials run as
/// training jobs on the fixture's embedded worker. Waits have a generous timeout and assert states, never durations.
/// </summary>
public sealed class StudiesApiTests(ServerFixture server) : IClassFixture<ServerFixture>, IDisposable
{
    /// <summary>A safety net against a hung tuning study, not a performance assertion.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    /// <summary>Every kind of parameter: uniform float, int, log-scale float, categorical with mixed choices, and a conditional int.</summary>
    private const string MixedSpace = """
        [
          {"name": "x", "type": "float", "low": -5, "high": 5},
          {"name": "n", "type": "int", "low": 1, "high": 10},
          {"name": "lr", "type": "float", "low": 0.0001, "high": 1, "log": true},
          {"name": "kind", "type": "categorical", "choices": ["a", "b", 3, true]},
          {"name": "depth", "type": "int", "low": 2, "high": 4, "condition": {"parent": "kind", "values": ["a"]}}
        ]
        """;

    private const string XSpace = """[{"name": "x", "type": "float", "low": 0, "high": 10}]""";

    private const string StudiesPath = "api/v1/studies";

    private readonly HttpClient _http = server.Http;
    private readonly MlopsClient _client = new(new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(2) }, ownsHttpClient: true);

    public void Dispose() => _client.Dispose();

    // ---------------------------------------------------------------- create

    [Fact]
    public async Task Creating_a_single_objective_study_returns_it_running_with_its_space_and_no_trials()
    {
        var name = UniqueName("single");

        var created = await _client.CreateStudyAsync(name, MixedSpace, "maximize", sampler: "random", seed: 7);
        var read = await _client.GetStudyAsync(name);

        Assert.Equal(name, created.Name);
        Assert.Equal(["maximize"], created.Directions);
        Assert.Equal("running", created.Status);
        Assert.Equal("external", created.Objective);
        Assert.Equal("random", created.Sampler);
        Assert.Equal(7, created.Seed);
        Assert.Equal("none", created.Pruner);
        Assert.Equal(0, created.TotalTrials);
        Assert.Empty(created.BestTrials ?? []);
        Assert.Equal(created.Id, read.Id);
        var space = read.Space!.Value.EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["x", "n", "lr", "kind", "depth"], space);
        Assert.True(read.Space.Value[2].GetProperty("log").GetBoolean());
    }

    [Fact]
    public async Task Creating_a_study_with_two_directions_keeps_both()
    {
        var name = UniqueName("two");

        var response = await CreateRawAsync(name, XSpace, directions: ["minimize", "maximize"]);

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var study = await _client.GetStudyAsync(name);
        Assert.Equal(["minimize", "maximize"], study.Directions);
        Assert.Equal("running", study.Status);
    }

    [Fact]
    public async Task Creating_with_both_direction_and_directions_is_400()
    {
        var name = UniqueName("both");
        var body = new JsonObject
        {
            ["name"] = name,
            ["direction"] = "minimize",
            ["directions"] = new JsonArray("minimize", "maximize"),
            ["space"] = JsonNode.Parse(XSpace),
        };

        var response = await _http.PostJsonAsync(StudiesPath, body);

        AssertProblem(response, HttpStatusCode.BadRequest, "direction");
        await AssertNoStudyAsync(name);
    }

    [Theory]
    [InlineData("""[{"name": "alpha", "type": "float", "low": 2, "high": 1}]""", "alpha")]
    [InlineData("""[{"name": "steps", "type": "int", "low": 10, "high": 1}]""", "steps")]
    [InlineData("""[{"name": "beta", "type": "float", "low": 0, "high": 1, "log": true}]""", "beta")]
    [InlineData("""[{"name": "width", "type": "int", "low": -1, "high": 8, "log": true}]""", "width")]
    [InlineData("""[{"name": "gamma", "type": "categorical", "choices": []}]""", "gamma")]
    [InlineData("""[{"name": "delta", "type": "complex", "low": 0, "high": 1}]""", "delta")]
    [InlineData("""[{"name": "x", "type": "float", "low": 0, "high": 1}, {"name": "eps", "type": "float", "low": 0, "high": 1, "condition": {"parent": "ghost", "values": ["a"]}}]""", "eps")]
    [InlineData("""[{"name": "x", "type": "float", "low": 0, "high": 1}, {"name": "eps", "type": "float", "low": 0, "high": 1, "condition": {"parent": "ghost", "values": ["a"]}}]""", "ghost")]
    public async Task An_invalid_space_is_400_naming_the_parameter_and_creates_nothing(string space, string named)
    {
        var name = UniqueName("bad-space");

        var response = await CreateRawAsync(name, space);

        AssertProblem(response, HttpStatusCode.BadRequest, $"'{named}'");
        await AssertNoStudyAsync(name);
    }

    [Theory]
    [InlineData("{\"name\": \"s\", \"space\": [")]
    [InlineData("{not json}")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    [InlineData("")]
    public async Task A_malformed_create_body_is_400(string body)
    {
        var response = await _http.PostJsonAsync(StudiesPath, body);

        AssertProblem(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Malformed_tell_and_report_bodies_are_400_and_the_trial_stays_running()
    {
        var name = UniqueName("malformed");
        await _client.CreateStudyAsync(name, XSpace);
        var trial = await _client.AskAsync(name);

        AssertProblem(await _http.PostJsonAsync(TellPath(name, trial.Number), "{\"values\": [1,"), HttpStatusCode.BadRequest);
        AssertProblem(await _http.PostJsonAsync(TellPath(name, trial.Number), "{\"values\": \"one\"}"), HttpStatusCode.BadRequest);
        AssertProblem(await _http.PostJsonAsync(ReportPath(name, trial.Number), "{\"step\": 1, \"value\": }"), HttpStatusCode.BadRequest);
        AssertProblem(await _http.PostJsonAsync(ReportPath(name, trial.Number), "{\"value\": 1}"), HttpStatusCode.BadRequest, "step");

        Assert.Equal("running", (await TrialAsync(name, trial.Number)).State);
    }

    [Fact]
    public async Task Load_if_exists_returns_the_same_study_and_a_different_space_is_409()
    {
        var name = UniqueName("load");
        var first = await _client.CreateStudyAsync(name, MixedSpace, loadIfExists: true);
        await _client.AskAsync(name);

        var again = await _client.CreateStudyAsync(name, MixedSpace, loadIfExists: true);
        var conflict = await CreateRawAsync(name, XSpace, loadIfExists: true);
        var otherDirection = await CreateRawAsync(name, MixedSpace, directions: ["maximize"], loadIfExists: true);
        var withoutLoad = await CreateRawAsync(name, MixedSpace);

        Assert.Equal(first.Id, again.Id);
        Assert.Equal(1, again.TotalTrials);
        AssertProblem(conflict, HttpStatusCode.Conflict, name);
        AssertProblem(otherDirection, HttpStatusCode.Conflict, name);
        AssertProblem(withoutLoad, HttpStatusCode.Conflict);
        var study = await _client.GetStudyAsync(name);
        Assert.Equal(first.Id, study.Id);
        Assert.Equal(5, study.Space!.Value.GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_creates_of_one_name_make_one_study_and_the_others_get_409()
    {
        var name = UniqueName("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CreateRawAsync(name, XSpace)));

        Assert.Single(responses, r => r.Status == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.Created), r => AssertProblem(r, HttpStatusCode.Conflict));
        Assert.Single(await AllStudyNamesAsync(), n => n == name);
    }

    [Fact]
    public async Task Concurrent_creates_with_load_if_exists_all_return_the_one_study()
    {
        var name = UniqueName("race-load");

        // A first create warms the path up, so the racing requests overlap instead of queueing behind the JIT.
        await CreateRawAsync(UniqueName("warm-up"), XSpace, loadIfExists: true);

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => CreateRawAsync(name, XSpace, loadIfExists: true)));

        Assert.All(responses, r => Assert.True(r.Status == HttpStatusCode.Created, $"Expected 201, got {(int)r.Status}: {r.Body}"));
        Assert.Single(responses.Select(r => (long)JsonNode.Parse(r.Body)!["study"]!["id"]!).Distinct());
        Assert.Single(await AllStudyNamesAsync(), n => n == name);
    }

    public static TheoryData<string> UnusableNames => ["team/study", "/leading", new string('s', 300), new string('s', 251), "   ", "tab\tname"];

    [Theory]
    [MemberData(nameof(UnusableNames))]
    public async Task A_study_name_with_a_slash_a_control_character_or_over_250_characters_is_400(string name)
    {
        var response = await CreateRawAsync(name, XSpace);

        AssertProblem(response, HttpStatusCode.BadRequest, "name");
        var listed = await AllStudyNamesAsync();
        Assert.DoesNotContain(name, listed);
    }

    [Fact]
    public async Task A_study_name_of_250_characters_is_accepted()
    {
        var prefix = UniqueName("long");
        var name = prefix + new string('n', 250 - prefix.Length);

        var created = await _client.CreateStudyAsync(name, XSpace);

        Assert.Equal(250, created.Name!.Length);
        Assert.Equal(name, (await _client.GetStudyAsync(name)).Name);
    }

    // ---------------------------------------------------------------- ask and tell

    [Fact]
    public async Task Ask_returns_params_inside_the_space_for_float_int_log_categorical_and_conditional_parameters()
    {
        var name = UniqueName("ask");
        await _client.CreateStudyAsync(name, MixedSpace, sampler: "random", seed: 3);

        for (var i = 0; i < 12; i++)
        {
            var trial = await _client.AskAsync(name);

            Assert.Equal(i, trial.Number);
            Assert.Equal("running", trial.State);
            var p = trial.Params!;
            var x = p["x"].GetDouble();
            Assert.InRange(x, -5, 5);
            Assert.True(p["n"].TryGetInt64(out var n), $"n is not an integer: {p["n"].GetRawText()}");
            Assert.InRange(n, 1, 10);
            Assert.InRange(p["lr"].GetDouble(), 0.0001, 1);
            var kind = p["kind"].GetRawText();
            Assert.Contains(kind, new[] { "\"a\"", "\"b\"", "3", "true" });
            if (kind == "\"a\"")
            {
                Assert.True(p["depth"].TryGetInt64(out var depth), $"depth is not an integer: {p["depth"].GetRawText()}");
                Assert.InRange(depth, 2, 4);
            }
            else
            {
                Assert.False(p.ContainsKey("depth"), $"depth is set although kind is {kind}");
            }
        }

        Assert.Equal(12, (await _client.GetStudyAsync(name)).TrialCounts!["running"]);
    }

    [Fact]
    public async Task Concurrent_asks_get_distinct_consecutive_trial_numbers()
    {
        var name = UniqueName("ask-race");
        await _client.CreateStudyAsync(name, XSpace);

        var trials = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.AskAsync(name)));

        Assert.Equal(Enumerable.Range(0, 10), trials.Select(t => t.Number).Order());
        Assert.Equal(10, (await _client.GetStudyAsync(name)).TotalTrials);
    }

    [Fact]
    public async Task Concurrent_tells_of_one_trial_complete_it_once_and_the_others_get_409()
    {
        var name = UniqueName("tell-race");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _http.PostJsonAsync(TellPath(name, asked.Number), $$"""{"values": [{{i.ToString(CultureInfo.InvariantCulture)}}]}""")));

        var winner = Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r != winner), r => AssertProblem(r, HttpStatusCode.Conflict, "already complete"));
        var told = JsonNode.Parse(winner.Body)!["trial"]!["values"]![0]!.GetValue<double>();
        Assert.Equal([told], (await TrialAsync(name, asked.Number)).Values);
    }

    [Fact]
    public async Task Tell_with_a_value_completes_the_trial()
    {
        var name = UniqueName("tell");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);

        var told = await _client.TellAsync(name, asked.Number, [0.25]);
        var study = await _client.GetStudyAsync(name);

        Assert.Equal("complete", told.State);
        Assert.Equal([0.25], told.Values);
        Assert.NotNull(told.CompletedAt);
        Assert.Equal(asked.Params!["x"].GetDouble(), told.Params!["x"].GetDouble());
        Assert.Equal(1, study.TrialCounts!["complete"]);
        Assert.Equal(0, study.TrialCounts["running"]);
        Assert.Equal(asked.Number, Assert.Single(study.BestTrials!).Number);
    }

    [Fact]
    public async Task Tell_accepts_the_single_value_shorthand()
    {
        var name = UniqueName("shorthand");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);

        var response = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"value": 1.5}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var trial = await TrialAsync(name, asked.Number);
        Assert.Equal("complete", trial.State);
        Assert.Equal([1.5], trial.Values);
    }

    [Fact]
    public async Task Telling_a_trial_twice_is_409_and_leaves_the_trial_unchanged()
    {
        var name = UniqueName("twice");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);
        await _client.TellAsync(name, asked.Number, [1.0]);
        var before = await TrialsBodyAsync(name);

        var again = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"values": [2.0]}""");
        var pruned = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"state": "pruned"}""");
        var report = await _http.PostJsonAsync(ReportPath(name, asked.Number), """{"step": 3, "value": 0.5}""");

        AssertProblem(again, HttpStatusCode.Conflict, "already complete");
        AssertProblem(pruned, HttpStatusCode.Conflict, "already complete");
        AssertProblem(report, HttpStatusCode.Conflict, "already complete");
        Assert.Equal(before, await TrialsBodyAsync(name));
    }

    [Fact]
    public async Task Telling_or_reporting_an_unknown_trial_is_404()
    {
        var name = UniqueName("unknown-trial");
        await _client.CreateStudyAsync(name, XSpace);
        await _client.AskAsync(name);

        var tell = await _http.PostJsonAsync(TellPath(name, 99), """{"values": [1.0]}""");
        var report = await _http.PostJsonAsync(ReportPath(name, 99), """{"step": 1, "value": 1.0}""");

        AssertProblem(tell, HttpStatusCode.NotFound, "99");
        AssertProblem(report, HttpStatusCode.NotFound, "99");
        Assert.Equal(1, (await _client.GetStudyAsync(name)).TotalTrials);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/trials")]
    [InlineData("GET", "/best")]
    [InlineData("GET", "/importances")]
    [InlineData("POST", "/ask")]
    [InlineData("POST", "/trials/0/tell")]
    [InlineData("POST", "/trials/0/report")]
    public async Task Every_route_of_an_unknown_study_is_404(string method, string suffix)
    {
        var path = $"{StudiesPath}/{Uri.EscapeDataString(UniqueName("nobody"))}{suffix}";
        var body = suffix.EndsWith("/report", StringComparison.Ordinal) ? """{"step": 1, "value": 1.0}""" : """{"values": [1.0]}""";

        var response = method == "GET" ? await _http.GetApiAsync(path) : await _http.PostJsonAsync(path, body);

        AssertProblem(response, HttpStatusCode.NotFound, "No study named");
    }

    [Theory]
    [InlineData("""{"values": ["NaN"]}""")]
    [InlineData("""{"value": "NaN"}""")]
    [InlineData("""{"values": ["Infinity"]}""")]
    [InlineData("""{"value": "-Infinity"}""")]
    public async Task Telling_a_non_finite_value_is_400_and_the_trial_stays_running(string body)
    {
        var name = UniqueName("nan");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);

        var response = await _http.PostJsonAsync(TellPath(name, asked.Number), body);

        AssertProblem(response, HttpStatusCode.BadRequest, "finite");
        var trial = await TrialAsync(name, asked.Number);
        Assert.Equal("running", trial.State);
        Assert.Null(trial.Values);
        Assert.Null(trial.CompletedAt);
    }

    [Theory]
    [InlineData(1, """{"values": [1.0, 2.0]}""")]
    [InlineData(1, """{"values": []}""")]
    [InlineData(1, """{"state": "complete"}""")]
    [InlineData(2, """{"values": [1.0]}""")]
    [InlineData(2, """{"value": 1.0}""")]
    [InlineData(2, """{"values": [1.0, 2.0, 3.0]}""")]
    public async Task Telling_the_wrong_number_of_values_is_400_and_the_trial_stays_running(int objectives, string body)
    {
        var name = UniqueName("count");
        var directions = Enumerable.Repeat("minimize", objectives).ToArray();
        Assert.Equal(HttpStatusCode.Created, (await CreateRawAsync(name, XSpace, directions)).Status);
        var asked = await _client.AskAsync(name);

        var response = await _http.PostJsonAsync(TellPath(name, asked.Number), body);

        AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Equal("running", (await TrialAsync(name, asked.Number)).State);
    }

    [Fact]
    public async Task Telling_values_with_the_pruned_state_or_an_unknown_state_is_400()
    {
        var name = UniqueName("state");
        await _client.CreateStudyAsync(name, XSpace);
        var asked = await _client.AskAsync(name);

        var pruned = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"state": "pruned", "values": [1.0]}""");
        var unknown = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"state": "paused"}""");
        var both = await _http.PostJsonAsync(TellPath(name, asked.Number), """{"value": 1.0, "values": [1.0]}""");

        AssertProblem(pruned, HttpStatusCode.BadRequest);
        AssertProblem(unknown, HttpStatusCode.BadRequest, "paused");
        AssertProblem(both, HttpStatusCode.BadRequest);
        Assert.Equal("running", (await TrialAsync(name, asked.Number)).State);
    }

    [Fact]
    public async Task Telling_a_trial_failed_records_the_error_and_it_is_never_best()
    {
        var name = UniqueName("failed");
        await _client.CreateStudyAsync(name, XSpace);
        var failing = await _client.AskAsync(name);
        var working = await _client.AskAsync(name);

        var failed = await _client.TellStateAsync(name, failing.Number, "failed", "out of memory");
        await _client.TellAsync(name, working.Number, [5.0]);

        Assert.Equal("failed", failed.State);
        Assert.Equal("out of memory", failed.Error);
        Assert.Null(failed.Values);
        var best = Assert.Single(await _client.GetBestTrialsAsync(name));
        Assert.Equal(working.Number, best.Number);
    }

    // ---------------------------------------------------------------- report and pruning

    [Fact]
    public async Task Report_without_a_pruner_never_advises_pruning_and_records_the_value()
    {
        var name = UniqueName("report");
        await _client.CreateStudyAsync(name, XSpace);
        for (var i = 0; i < 6; i++)
        {
            var done = await _client.AskAsync(name);
            Assert.False(await _client.ReportAsync(name, done.Number, 1, 0.1));
            await _client.TellAsync(name, done.Number, [0.1]);
        }

        var trial = await _client.AskAsync(name);
        var prune = await _client.ReportAsync(name, trial.Number, 1, 1000.0);

        Assert.False(prune);
        var read = await TrialAsync(name, trial.Number);
        Assert.Equal("running", read.State);
        Assert.Equal(1000.0, read.Intermediate!["1"]);
    }

    [Fact]
    public async Task A_median_pruner_advises_pruning_a_trial_much_worse_than_five_complete_ones_and_it_can_be_told_pruned()
    {
        var name = UniqueName("median");
        await _client.CreateStudyAsync(name, XSpace, pruner: "median");
        for (var i = 0; i < 5; i++)
        {
            var done = await _client.AskAsync(name);
            await _client.ReportAsync(name, done.Number, 1, 0.1 * i);
            await _client.TellAsync(name, done.Number, [0.1 * i]);
        }

        var bad = await _client.AskAsync(name);
        var badAdvice = await _client.ReportAsync(name, bad.Number, 1, 100.0);
        var good = await _client.AskAsync(name);
        var goodAdvice = await _client.ReportAsync(name, good.Number, 1, 0.05);
        var pruned = await _client.TellStateAsync(name, bad.Number, "pruned");

        Assert.True(badAdvice, "a value of 100 at step 1 is far above the median (0.2) of five complete trials");
        Assert.False(goodAdvice, "a value of 0.05 at step 1 is below the median (0.2) of five complete trials");
        Assert.Equal("pruned", pruned.State);
        Assert.Null(pruned.Values);
        Assert.Equal(100.0, pruned.Intermediate!["1"]);
        var study = await _client.GetStudyAsync(name);
        Assert.Equal("median", study.Pruner);
        Assert.Equal(5, study.TrialCounts!["complete"]);
        Assert.Equal(1, study.TrialCounts["pruned"]);
        Assert.Equal(1, study.TrialCounts["running"]);
    }

    [Fact]
    public async Task A_median_pruner_does_not_prune_before_five_trials_completed()
    {
        var name = UniqueName("median-startup");
        await _client.CreateStudyAsync(name, XSpace, pruner: "median");
        for (var i = 0; i < 4; i++)
        {
            var done = await _client.AskAsync(name);
            await _client.ReportAsync(name, done.Number, 1, 0.1);
            await _client.TellAsync(name, done.Number, [0.1]);
        }

        var bad = await _client.AskAsync(name);

        Assert.False(await _client.ReportAsync(name, bad.Number, 1, 100.0));
    }

    [Fact]
    public async Task Reporting_a_negative_step_or_an_infinite_value_is_400()
    {
        var name = UniqueName("bad-report");
        await _client.CreateStudyAsync(name, XSpace);
        var trial = await _client.AskAsync(name);

        AssertProblem(await _http.PostJsonAsync(ReportPath(name, trial.Number), """{"step": -1, "value": 1.0}"""), HttpStatusCode.BadRequest, "step");
        AssertProblem(await _http.PostJsonAsync(ReportPath(name, trial.Number), """{"step": 1, "value": "Infinity"}"""), HttpStatusCode.BadRequest, "infinite");
        Assert.Empty((await TrialAsync(name, trial.Number)).Intermediate ?? []);
    }

    [Fact]
    public async Task An_unknown_pruner_or_pruner_option_is_400()
    {
        var unknownPruner = UniqueName("pruner");
        var unknownOption = UniqueName("pruner-option");

        var pruner = await _http.PostJsonAsync(StudiesPath, new JsonObject { ["name"] = unknownPruner, ["space"] = JsonNode.Parse(XSpace), ["pruner"] = "oracle" });
        var option = await _http.PostJsonAsync(StudiesPath, new JsonObject
        {
            ["name"] = unknownOption,
            ["space"] = JsonNode.Parse(XSpace),
            ["pruner"] = "median",
            ["pruner_options"] = new JsonObject { ["patience"] = 3 },
        });

        AssertProblem(pruner, HttpStatusCode.BadRequest, "oracle");
        AssertProblem(option, HttpStatusCode.BadRequest, "patience");
        await AssertNoStudyAsync(unknownPruner);
        await AssertNoStudyAsync(unknownOption);
    }

    // ---------------------------------------------------------------- best, Pareto front, list, importances

    [Theory]
    [InlineData("minimize", 1.0, 1)]
    [InlineData("maximize", 3.0, 2)]
    public async Task Best_returns_the_best_complete_trial_in_the_studys_direction(string direction, double bestValue, int bestNumber)
    {
        var name = UniqueName("best-" + direction);
        await _client.CreateStudyAsync(name, XSpace, direction);
        foreach (var value in new[] { 2.0, 1.0, 3.0 })
        {
            var trial = await _client.AskAsync(name);
            await _client.TellAsync(name, trial.Number, [value]);
        }

        await _client.AskAsync(name);

        var best = Assert.Single(await _client.GetBestTrialsAsync(name));
        var study = await _client.GetStudyAsync(name);

        Assert.Equal(bestNumber, best.Number);
        Assert.Equal([bestValue], best.Values);
        Assert.Equal(bestNumber, Assert.Single(study.BestTrials!).Number);
    }

    [Fact]
    public async Task Best_of_a_study_without_complete_trials_is_empty()
    {
        var name = UniqueName("no-best");
        await _client.CreateStudyAsync(name, XSpace);
        await _client.AskAsync(name);

        Assert.Empty(await _client.GetBestTrialsAsync(name));
    }

    [Fact]
    public async Task Best_of_a_two_objective_study_is_the_pareto_front()
    {
        var name = UniqueName("pareto");
        Assert.Equal(HttpStatusCode.Created, (await CreateRawAsync(name, XSpace, ["minimize", "minimize"])).Status);
        double[][] told = [[1, 4], [2, 2], [4, 1], [3, 3], [5, 5]];
        foreach (var values in told)
        {
            var trial = await _client.AskAsync(name);
            await _client.TellAsync(name, trial.Number, values);
        }

        var front = await _client.GetBestTrialsAsync(name);
        var study = await _client.GetStudyAsync(name);

        Assert.Equal([0, 1, 2], front.Select(t => t.Number).Order());
        Assert.Equal([0, 1, 2], study.BestTrials!.Select(t => t.Number).Order());
        Assert.Equal([2.0, 2.0], front.Single(t => t.Number == 1).Values);
    }

    [Fact]
    public async Task Reporting_on_a_two_objective_study_is_400()
    {
        var name = UniqueName("pareto-report");
        Assert.Equal(HttpStatusCode.Created, (await CreateRawAsync(name, XSpace, ["minimize", "maximize"])).Status);
        var trial = await _client.AskAsync(name);

        var response = await _http.PostJsonAsync(ReportPath(name, trial.Number), """{"step": 1, "value": 1.0}""");

        AssertProblem(response, HttpStatusCode.BadRequest, "objectives");
    }

    [Fact]
    public async Task List_pages_through_every_study_newest_first_without_repeats()
    {
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            names.Add((await _client.CreateStudyAsync(UniqueName("page-" + i.ToString(CultureInfo.InvariantCulture)), XSpace)).Name!);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _client.ListStudiesAsync(maxResults: 2, pageToken: token);
            Assert.InRange(page.Studies!.Count, 1, 2);
            seen.AddRange(page.Studies.Select(s => s.Name!));
            token = page.NextPageToken;
            pages++;
            Assert.True(pages < 1000, "paging did not end");
        }
        while (token is not null);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal([names[2], names[1], names[0]], seen.Where(names.Contains));
        var first = await _client.ListStudiesAsync(maxResults: 1);
        Assert.Single(first.Studies!);
        Assert.NotNull(first.NextPageToken);
    }

    [Fact]
    public async Task Importances_rank_first_the_only_parameter_the_objective_depends_on()
    {
        var name = UniqueName("importance");
        const string space = """
            [
              {"name": "x", "type": "float", "low": -5, "high": 5},
              {"name": "y", "type": "float", "low": -5, "high": 5},
              {"name": "k", "type": "int", "low": 1, "high": 8},
              {"name": "c", "type": "categorical", "choices": ["red", "green", "blue"]}
            ]
            """;
        await _client.CreateStudyAsync(name, space, sampler: "random", seed: 11);
        for (var i = 0; i < 14; i++)
        {
            var trial = await _client.AskAsync(name);
            var x = trial.Params!["x"].GetDouble();
            await _client.TellAsync(name, trial.Number, [(x * 3) + 1]);
        }

        var importances = await _client.GetParameterImportancesAsync(name);

        Assert.Equal(["c", "k", "x", "y"], importances.Keys.Order());
        Assert.Equal("x", importances.MaxBy(p => p.Value).Key);
        Assert.Equal("x", importances.Keys.First());
        Assert.Equal(1.0, importances.Values.Sum(), 6);
        Assert.True(importances["x"] > 0.5, $"x explains only {importances["x"]}: {string.Join(", ", importances.Select(p => $"{p.Key}={p.Value}"))}");
    }

    // ---------------------------------------------------------------- tuning studies (trials are training jobs)

    [Fact]
    public async Task Tune_with_the_sample_spec_runs_three_trials_as_child_runs_and_registers_the_best_model_once()
    {
        var name = UniqueName("tune");
        var spec = await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml"));

        var started = await _client.TuneAsync(spec, SpecsFolder, trials: 3, parallel: 2, name: name);
        var study = await WaitForStudyAsync(name);

        Assert.Equal("training", started.Objective);
        Assert.Equal(3, started.PlannedTrials);
        Assert.Equal(2, started.Parallel);
        Assert.Equal(["maximize"], started.Directions);
        Assert.True(study.Status == "completed", $"study ended {study.Status}: {Counts(study)}");
        var trials = await _client.GetTrialsAsync(name);
        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        Assert.All(trials, t => Assert.True(t.State == "complete", $"trial {t.Number} is {t.State}: {t.Error}"));
        Assert.Equal(3, trials.Select(t => t.JobId).Distinct().Count());
        var parent = study.ParentRunId;
        Assert.NotNull(parent);
        foreach (var trial in trials)
        {
            Assert.InRange(trial.Params!["learning_rate"].GetDouble(), 0.01, 0.3);
            Assert.InRange(trial.Params["number_of_leaves"].GetInt64(), 4, 64);
            Assert.NotNull(trial.RunId);
            var run = await _client.GetRunAsync(trial.RunId);
            var tags = run.Data.Tags!.ToDictionary(t => t.Key!, t => t.Value);
            Assert.Equal(parent, tags["mlflow.parentRunId"]);
            Assert.Equal(trial.Number.ToString(CultureInfo.InvariantCulture), tags["mlops.trial"]);
            Assert.Equal("FINISHED", run.Info.Status);
            var accuracy = run.Data.Metrics!.Single(m => m.Key == "accuracy").Value;
            Assert.Equal(trial.Values![0], accuracy ?? double.NaN, 9);
        }

        var best = Assert.Single(study.BestTrials!);
        Assert.Equal(trials.Max(t => t.Values![0]), best.Values![0]);
        var parentRun = await _client.GetRunAsync(parent);
        Assert.Equal("FINISHED", parentRun.Info.Status);
        var parentTags = parentRun.Data.Tags!.ToDictionary(t => t.Key!, t => t.Value);
        Assert.Equal(best.Number.ToString(CultureInfo.InvariantCulture), parentTags["mlops.best_trial"]);
        Assert.Equal(best.RunId, parentTags["mlops.best_run_id"]);
        var version = Assert.Single((await _client.SearchModelVersionsAsync("name = 'breast-cancer-tuned'")).ModelVersions!);
        Assert.Equal(best.RunId, version.RunId);
        Assert.Contains(version.Tags!, t => t.Key == "mlops.study" && t.Value == name);
        Assert.Equal(version.Version, (await _client.GetModelVersionByAliasAsync("breast-cancer-tuned", "champion")).Version);

        // A finished tuning study takes no trials from outside, and reading it again changes nothing.
        var ask = await _http.PostJsonAsync($"{StudiesPath}/{Uri.EscapeDataString(name)}/ask", "{}");
        AssertProblem(ask, HttpStatusCode.Conflict);
        Assert.Equal(3, (await _client.GetStudyAsync(name)).TotalTrials);
        Assert.Single((await _client.SearchModelVersionsAsync("name = 'breast-cancer-tuned'")).ModelVersions!);
    }

    [Fact]
    public async Task Reading_a_tuning_study_fails_a_trial_whose_job_was_cancelled_queues_the_next_and_completes_the_study()
    {
        var name = UniqueName("tune-cancel");
        var spec = (await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml")))
            .Replace("number_of_iterations: 100", "number_of_iterations: 20", StringComparison.Ordinal)
            .Replace("model: breast-cancer-tuned", "model: " + name, StringComparison.Ordinal);
        await _client.TuneAsync(spec, SpecsFolder, trials: 3, parallel: 2, name: name);
        var cancelled = (await _client.GetTrialsAsync(name)).Single(t => t.Number == 1);

        await _client.CancelJobAsync(cancelled.JobId!.Value);
        var study = await WaitForStudyAsync(name);

        Assert.Equal("completed", study.Status);
        var trials = await _client.GetTrialsAsync(name);
        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        Assert.Equal(["complete", "failed", "complete"], trials.Select(t => t.State));
        Assert.False(string.IsNullOrWhiteSpace(trials[1].Error), "a failed trial says why");
        Assert.Equal("cancelled", (await _client.GetJobAsync(cancelled.JobId.Value)).Status);
        Assert.Equal(2, study.TrialCounts!["complete"]);
        Assert.Equal(1, study.TrialCounts["failed"]);
        Assert.Single((await _client.SearchModelVersionsAsync($"name = '{name}'")).ModelVersions!);
    }

    [Fact]
    public async Task A_stopped_study_takes_no_new_trials_but_its_running_trial_may_still_be_told()
    {
        var name = UniqueName("stopped");
        await _client.CreateStudyAsync(name, XSpace, sampler: "random");
        var running = await _client.AskAsync(name);

        var stopped = await _client.StopStudyAsync(name);
        var ask = await Assert.ThrowsAsync<MlopsApiException>(() => _client.AskAsync(name));
        var told = await _client.TellAsync(name, running.Number, [1.5]);
        var again = await Assert.ThrowsAsync<MlopsApiException>(() => _client.StopStudyAsync(name));

        Assert.Equal("stopped", stopped.Status);
        Assert.Equal(HttpStatusCode.Conflict, ask.StatusCode);
        Assert.Equal("INVALID_STATE", ask.ErrorCode);
        Assert.Contains("stopped", ask.Message, StringComparison.Ordinal);
        Assert.Equal("complete", told.State);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, (await _client.GetStudyAsync(name)).TotalTrials);
    }

    [Fact]
    public async Task Stopping_a_tuning_study_cancels_its_queued_trial_jobs_and_queues_no_more()
    {
        var spec = await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml"));
        var study = await _client.TuneAsync(spec, SpecsFolder, trials: 6, parallel: 2, name: UniqueName("stop-tune"));

        var stopped = await _client.StopStudyAsync(study.Name!);
        var trials = await _client.GetTrialsAsync(study.Name!);
        foreach (var trial in trials.Where(t => t.JobId is not null))
        {
            var job = await _client.WaitForJobAsync(trial.JobId!.Value);
            Assert.Contains(job.Status, new[] { "cancelled", "succeeded", "failed" });
        }

        var after = await _client.GetStudyAsync(study.Name!);
        Assert.Equal("stopped", stopped.Status);
        Assert.Equal("stopped", after.Status);
        Assert.Equal(2, after.TotalTrials);
        Assert.Equal(0, after.TrialCounts!["running"]);
    }

    [Fact]
    public async Task Tune_with_the_name_of_an_existing_study_is_409_and_starts_nothing()
    {
        var name = UniqueName("taken");
        await _client.CreateStudyAsync(name, XSpace);
        var spec = await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml"));
        var jobsBefore = (await _client.ListJobsAsync(kind: "train", maxResults: 1000)).Jobs?.Count ?? 0;

        var error = await Assert.ThrowsAsync<MlopsApiException>(() => _client.TuneAsync(spec, SpecsFolder, trials: 2, name: name));

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        var study = await _client.GetStudyAsync(name);
        Assert.Equal("external", study.Objective);
        Assert.Equal(0, study.TotalTrials);
        Assert.Equal(jobsBefore, (await _client.ListJobsAsync(kind: "train", maxResults: 1000)).Jobs?.Count ?? 0);
    }

    [Fact]
    public async Task Concurrent_tunes_of_one_name_start_one_study_with_one_parent_run_and_the_others_get_409()
    {
        var name = UniqueName("tune-race");
        var experiment = UniqueName("tune-race-experiment");
        var spec = (await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml")))
            .Replace("experiment: breast-cancer", "experiment: " + experiment, StringComparison.Ordinal)
            .Replace("number_of_iterations: 100", "number_of_iterations: 20", StringComparison.Ordinal)
            .Replace("model: breast-cancer-tuned", "model: " + name, StringComparison.Ordinal);
        var body = new JsonObject { ["spec"] = spec, ["base_path"] = SpecsFolder, ["name"] = name, ["trials"] = 1, ["parallel"] = 1 }.ToJsonString();
        await _client.GetOrCreateExperimentAsync(experiment);

        // A first tune warms the whole path up, so the racing requests overlap instead of queueing behind the JIT.
        var warm = new JsonObject { ["spec"] = spec, ["base_path"] = SpecsFolder, ["name"] = name + "-warm", ["trials"] = 1, ["parallel"] = 1 }.ToJsonString();
        Assert.Equal(HttpStatusCode.Created, (await _http.PostJsonAsync("api/v1/tune", warm)).Status);
        await WaitForStudyAsync(name + "-warm");

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _http.PostJsonAsync("api/v1/tune", body)));
        var study = await WaitForStudyAsync(name);

        Assert.Single(responses, r => r.Status == HttpStatusCode.Created);
        Assert.All(responses.Where(r => r.Status != HttpStatusCode.Created), r => AssertProblem(r, HttpStatusCode.Conflict, name));
        Assert.Equal("completed", study.Status);
        var experimentId = (await _client.FindExperimentByNameAsync(experiment))!.ExperimentId;
        var runs = (await _client.SearchRunsAsync([experimentId])).Runs ?? [];
        var parents = runs.Where(r => !(r.Data.Tags ?? []).Any(t => t.Key == "mlflow.parentRunId") && r.Info.RunName == name).ToList();
        var parent = Assert.Single(parents);
        Assert.Equal(study.ParentRunId, parent.Info.RunId);
        Assert.Equal("FINISHED", parent.Info.Status);
        Assert.Equal(4, runs.Count);
    }

    [Theory]
    [InlineData("""{"timeout_seconds": 0}""", "timeout_seconds")]
    [InlineData("""{"timeout_seconds": -5}""", "timeout_seconds")]
    [InlineData("""{}""", "spec")]
    public async Task Tune_without_a_spec_or_with_a_non_positive_timeout_is_400(string body, string field)
    {
        var response = await _http.PostJsonAsync("api/v1/tune", body);

        AssertProblem(response, HttpStatusCode.BadRequest, field);
    }

    [Theory]
    [InlineData("learning_rate: {low: 0.01, high: 0.3, log: true}", "learning_rate: {low: 0.3, high: 0.01, log: true}", "learning_rate")]
    [InlineData("learning_rate: {low: 0.01, high: 0.3, log: true}", "learning_rate: {low: 0, high: 0.3, log: true}", "learning_rate")]
    [InlineData("number_of_leaves: {low: 4, high: 64}", "number_of_leaves: {lo: 4, high: 64}", "number_of_leaves.lo")]
    [InlineData("number_of_leaves: {low: 4, high: 64}", "number_of_leaves: {low: 4}", "number_of_leaves")]
    [InlineData("  trials: 20", "  trails: 20", "tune.trails")]
    public async Task Tune_with_a_bad_range_is_400_naming_the_field_and_starts_nothing(string original, string replacement, string field)
    {
        var name = UniqueName("bad-tune");
        var sample = await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml"));
        Assert.Contains(original, sample, StringComparison.Ordinal);
        var body = new JsonObject
        {
            ["spec"] = sample.Replace(original, replacement, StringComparison.Ordinal),
            ["base_path"] = SpecsFolder,
            ["name"] = name,
            ["trials"] = 2,
        };

        var response = await _http.PostJsonAsync("api/v1/tune", body);

        AssertProblem(response, HttpStatusCode.BadRequest, field);
        await AssertNoStudyAsync(name);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 0)]
    public async Task Tune_with_no_trials_or_no_parallelism_is_400(int trials, int parallel)
    {
        var name = UniqueName("bad-budget");
        var spec = await File.ReadAllTextAsync(SamplePath("breast-cancer-lightgbm-tune.yaml"));

        var error = await Assert.ThrowsAsync<MlopsApiException>(() => _client.TuneAsync(spec, SpecsFolder, trials: trials, parallel: parallel, name: name));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("tune.", error.Message, StringComparison.Ordinal);
        await AssertNoStudyAsync(name);
    }

    // ---------------------------------------------------------------- helpers

    private static string TellPath(string study, int trial) => $"{StudiesPath}/{Uri.EscapeDataString(study)}/trials/{trial.ToString(CultureInfo.InvariantCulture)}/tell";

    private static string ReportPath(string study, int trial) => $"{StudiesPath}/{Uri.EscapeDataString(study)}/trials/{trial.ToString(CultureInfo.InvariantCulture)}/report";

    private Task<ApiResponse> CreateRawAsync(string name, string space, string[]? directions = null, bool loadIfExists = false)
    {
        var body = new JsonObject { ["name"] = name, ["space"] = JsonNode.Parse(space) };
        if (directions is not null)
        {
            body["directions"] = new JsonArray([.. directions.Select(d => (JsonNode)d)]);
        }

        if (loadIfExists)
        {
            body["load_if_exists"] = true;
        }

        return _http.PostJsonAsync(StudiesPath, body);
    }

    /// <summary>Asserts an RFC 7807 answer with the status, whose detail mentions each of <paramref name="mentions"/>.</summary>
    private static void AssertProblem(ApiResponse response, HttpStatusCode status, params string[] mentions)
    {
        Assert.True(response.Status == status, $"Expected {(int)status}, got {(int)response.Status}: {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType ?? "", StringComparison.Ordinal);
        var problem = JsonNode.Parse(response.Body)!.AsObject();
        Assert.Equal((int)status, (int)problem["status"]!);
        var detail = (string?)problem["detail"];
        Assert.False(string.IsNullOrWhiteSpace(detail), $"A problem carries a detail: {response.Body}");
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, detail, StringComparison.Ordinal);
        }
    }

    private async Task AssertNoStudyAsync(string name)
    {
        var response = await _http.GetApiAsync($"{StudiesPath}/{Uri.EscapeDataString(name)}");
        Assert.True(response.Status == HttpStatusCode.NotFound, $"Expected no study '{name}', got {(int)response.Status}: {response.Body}");
    }

    private async Task<List<string>> AllStudyNamesAsync()
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var page = await _client.ListStudiesAsync(maxResults: 1000, pageToken: token);
            names.AddRange((page.Studies ?? []).Select(s => s.Name!));
            token = page.NextPageToken;
        }
        while (token is not null);

        return names;
    }

    private async Task<TrialDto> TrialAsync(string study, int number) =>
        (await _client.GetTrialsAsync(study)).Single(t => t.Number == number);

    /// <summary>The exact text of the trials listing, to show that a refused request changed nothing.</summary>
    private async Task<string> TrialsBodyAsync(string study)
    {
        var response = await _http.GetApiAsync($"{StudiesPath}/{Uri.EscapeDataString(study)}/trials");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body;
    }

    /// <summary>Reads the study (which also catches a tuning study up) until it is no longer running.</summary>
    private async Task<StudyDto> WaitForStudyAsync(string name)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        var study = await _client.GetStudyAsync(name);
        while (study.Status == "running")
        {
            if (timeout.IsCancellationRequested)
            {
                var jobs = (await _client.ListJobsAsync(kind: "train")).Jobs ?? [];
                Assert.Fail($"study {name} still running after {s_timeout.TotalMinutes} min: {Counts(study)}; " +
                    $"jobs: {string.Join("; ", jobs.Select(j => $"{j.Id} {j.Status} attempts {j.Attempts} {j.Error}"))}");
            }

            await Task.Delay(250);
            study = await _client.GetStudyAsync(name);
        }

        return study;
    }

    private static string Counts(StudyDto study) => string.Join(", ", (study.TrialCounts ?? []).Select(c => $"{c.Key} {c.Value}"));

    private static string SpecsFolder { get; } = FindSpecsFolder();

    private static string SamplePath(string name) => Path.Combine(SpecsFolder, name);

    private static string FindSpecsFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mlops.slnx")))
            {
                return Path.Combine(directory.FullName, "samples", "specs");
            }
        }

        throw new InvalidOperationException($"No folder holding Mlops.slnx above {AppContext.BaseDirectory}.");
    }
}
