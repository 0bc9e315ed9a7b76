using System.Collections.Concurrent;
using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>
/// What every <see cref="IStudyStore"/> adapter must do, written once and run against each adapter. A subclass
/// supplies a store over a database of its own, and a second, independent store on the same database that stands
/// for another server process. Tests only use the port and pass "now" explicitly. Every study name starts with a
/// per-test prefix and listings only look at the studies a test created, so the suite also holds on a database
/// shared by earlier tests.
/// </summary>
public abstract class StudyStoreContract
{
    protected const long T0 = 1_700_000_000_000;

    private IStudyStore? _store;

    private readonly string _prefix = "study-" + Guid.NewGuid().ToString("N")[..12] + "-";

    /// <summary>Creates the store under test. Called at most once per test, on first use.</summary>
    protected abstract IStudyStore CreateStore();

    /// <summary>
    /// A second store on the database of <see cref="CreateStore"/>, sharing nothing with it in memory (its own
    /// connections and locks), as another server process would.
    /// </summary>
    protected abstract IStudyStore CreateStoreOnSameDatabase();

    protected IStudyStore Store => _store ??= CreateStore();

    protected static CancellationToken Ct => CancellationToken.None;

    // ---------------------------------------------------------------- studies

    [Fact]
    public async Task Creates_a_study_and_gets_it_by_name_and_by_id()
    {
        var name = Name("create");
        var study = new NewStudy(name, [StudyDirection.Maximize], SmallSpace(), new SamplerSpec("tpe", 42), PrunerSpec.None,
            Objective: """{"spec":"trainer: lightgbm"}""", ExperimentId: "17", ParentRunId: "0123456789abcdef0123456789abcdef");

        var created = await Store.CreateStudyAsync(study, T0, Ct);
        var byName = await Store.GetStudyAsync(name, Ct);
        var byId = await Store.GetStudyAsync(created.Id, Ct);

        foreach (var read in new[] { created, byName!, byId! })
        {
            Assert.NotNull(read);
            Assert.Equal(created.Id, read.Id);
            Assert.Equal(name, read.Name);
            Assert.Equal([StudyDirection.Maximize], read.Directions);
            Assert.Equal(Shape(study.Space), Shape(read.Space));
            Assert.Equal(new SamplerSpec("tpe", 42), read.Sampler);
            Assert.Equal("none", read.Pruner.Name);
            Assert.Empty(read.Pruner.Options);
            Assert.Equal(StudyStatus.Running, read.Status);
            Assert.Equal(T0, read.CreatedAt);
            Assert.Equal("""{"spec":"trainer: lightgbm"}""", read.Objective);
            Assert.Equal("17", read.ExperimentId);
            Assert.Equal("0123456789abcdef0123456789abcdef", read.ParentRunId);
        }
    }

    [Fact]
    public async Task Keeps_the_objective_experiment_and_parent_run_null_when_they_are_not_given()
    {
        var created = await CreateAsync("external");

        var read = (await Store.GetStudyAsync(created.Id, Ct))!;

        Assert.Null(read.Objective);
        Assert.Null(read.ExperimentId);
        Assert.Null(read.ParentRunId);
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_study_name_or_id()
    {
        Assert.Null(await Store.GetStudyAsync(Name("missing"), Ct));
        Assert.Null(await Store.GetStudyAsync(long.MaxValue, Ct));
    }

    [Fact]
    public async Task Gives_every_study_its_own_id()
    {
        var first = await CreateAsync("first");
        var second = await CreateAsync("second");

        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(first.Name, (await Store.GetStudyAsync(first.Id, Ct))!.Name);
        Assert.Equal(second.Name, (await Store.GetStudyAsync(second.Id, Ct))!.Name);
    }

    [Fact]
    public async Task Rejects_a_taken_study_name_with_already_exists_and_keeps_the_first_study()
    {
        var first = await CreateAsync("taken", directions: [StudyDirection.Minimize]);

        var error = await Assert.ThrowsAsync<MlopsException>(() =>
            Store.CreateStudyAsync(new NewStudy(first.Name, [StudyDirection.Maximize, StudyDirection.Maximize], SmallSpace(), new SamplerSpec("random", 1), PrunerSpec.None), T0 + 1, Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Contains(first.Name, error.Message, StringComparison.Ordinal);
        var read = (await Store.GetStudyAsync(first.Name, Ct))!;
        Assert.Equal(first.Id, read.Id);
        Assert.Equal([StudyDirection.Minimize], read.Directions);
        Assert.Equal(T0, read.CreatedAt);
    }

    [Fact]
    public async Task Round_trips_a_search_space_with_log_step_mixed_choices_and_nested_conditions()
    {
        var space = new SearchSpace([
            new CategoricalDistribution("booster", ["gbdt", "dart", 3L, 2.5, true]),
            new FloatDistribution("learning_rate", 1e-5, 0.3, Log: true),
            new FloatDistribution("subsample", 0.5, 1.0, Step: 0.05),
            new FloatDistribution("shift", -1.0 / 3, 1e10),
            new IntDistribution("num_leaves", 2, 1024, Log: true),
            new IntDistribution("depth", -4, 20, Step: 3),
            new IntDistribution("fixed", 7, 7),
            new FloatDistribution("drop_rate", 0.01, 0.5) { Condition = new ParameterCondition("booster", ["dart", 3L]) },
            new CategoricalDistribution("drop_kind", ["uniform", "weighted", false, -1L]) { Condition = new ParameterCondition("booster", [true, "dart"]) },
            new IntDistribution("max_drop", 1, 50) { Condition = new ParameterCondition("drop_kind", [false, -1L]) },
            new CategoricalDistribution("digits", ["1", "2.5", "true"]),
        ]);

        var created = await Store.CreateStudyAsync(new NewStudy(Name("space"), [StudyDirection.Minimize], space, new SamplerSpec("tpe", 0), PrunerSpec.None), T0, Ct);
        var read = (await Store.GetStudyAsync(created.Id, Ct))!;

        Assert.Equal(Shape(space), Shape(created.Space));
        Assert.Equal(Shape(space), Shape(read.Space));
        Assert.False(read.Space.IsFlat);
        Assert.True(read.Space.IsActive(read.Space["max_drop"], new Dictionary<string, double> { ["booster"] = 1, ["drop_kind"] = 2 }));
        Assert.False(read.Space.IsActive(read.Space["max_drop"], new Dictionary<string, double> { ["booster"] = 0, ["drop_kind"] = 2 }));
    }

    [Fact]
    public async Task Keeps_whole_number_double_choices_as_doubles()
    {
        var space = new SearchSpace([
            new CategoricalDistribution("learning_rate", [0.5, 1.0, 2.0]),
            new IntDistribution("n", 1, 3) { Condition = new ParameterCondition("learning_rate", [2.0]) },
        ]);

        var created = await Store.CreateStudyAsync(new NewStudy(Name("doubles"), [StudyDirection.Minimize], space, new SamplerSpec("tpe", 0), PrunerSpec.None), T0, Ct);
        var read = (await Store.GetStudyAsync(created.Id, Ct))!;

        Assert.Equal(Shape(space), Shape(read.Space));
        Assert.IsType<double>(((CategoricalDistribution)read.Space["learning_rate"]).Choices[1]);
        Assert.IsType<double>(read.Space["n"].Condition!.Values[0]);
    }

    [Fact]
    public async Task Round_trips_several_directions_in_order_the_sampler_and_the_pruner_options()
    {
        StudyDirection[] directions = [StudyDirection.Maximize, StudyDirection.Minimize, StudyDirection.Maximize];
        var options = new Dictionary<string, double> { ["n_startup_trials"] = 5, ["percentile"] = 25.5, ["tiny"] = 1e-300, ["third"] = 1.0 / 3 };

        var created = await Store.CreateStudyAsync(
            new NewStudy(Name("multi"), directions, SmallSpace(), new SamplerSpec("nsga2", long.MaxValue), new PrunerSpec("percentile", options)), T0, Ct);
        var read = (await Store.GetStudyAsync(created.Id, Ct))!;

        foreach (var study in new[] { created, read })
        {
            Assert.Equal(directions, study.Directions);
            Assert.Equal(new SamplerSpec("nsga2", long.MaxValue), study.Sampler);
            Assert.Equal("percentile", study.Pruner.Name);
            Assert.Equal(options, study.Pruner.Options);
        }
    }

    [Fact]
    public async Task Lists_studies_newest_first_in_pages()
    {
        var a = await CreateAsync("a");
        var b = await CreateAsync("b");
        var c = await CreateAsync("c");

        var all = await Store.ListStudiesAsync(100_000, 0, Ct);
        var first = await Store.ListStudiesAsync(2, 0, Ct);
        var second = await Store.ListStudiesAsync(2, 2, Ct);
        var last = await Store.ListStudiesAsync(1, all.Items.Count - 1, Ct);
        var beyond = await Store.ListStudiesAsync(10, all.Items.Count, Ct);

        Assert.False(all.HasMore);
        Assert.Equal([c.Id, b.Id, a.Id], all.Items.Take(3).Select(s => s.Id));
        Assert.Equal([c.Id, b.Id], first.Items.Select(s => s.Id));
        Assert.True(first.HasMore);
        Assert.Equal(a.Id, second.Items[0].Id);
        Assert.Equal(all.Items[^1].Id, Assert.Single(last.Items).Id);
        Assert.False(last.HasMore);
        Assert.Empty(beyond.Items);
        Assert.False(beyond.HasMore);
        Assert.Equal(Shape(c.Space), Shape(first.Items[0].Space));
    }

    [Fact]
    public async Task Moves_a_study_between_statuses_only_from_the_status_it_is_in()
    {
        var study = await CreateAsync("status");

        var wrongFrom = await Store.SetStudyStatusAsync(study.Id, StudyStatus.Stopped, StudyStatus.Completed, Ct);
        var stillRunning = (await Store.GetStudyAsync(study.Id, Ct))!.Status;
        var stopped = await Store.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Stopped, Ct);
        var again = await Store.SetStudyStatusAsync(study.Id, StudyStatus.Running, StudyStatus.Completed, Ct);
        var resumed = await Store.SetStudyStatusAsync(study.Id, StudyStatus.Stopped, StudyStatus.Running, Ct);

        Assert.False(wrongFrom);
        Assert.Equal(StudyStatus.Running, stillRunning);
        Assert.True(stopped);
        Assert.False(again);
        Assert.True(resumed);
        Assert.Equal(StudyStatus.Running, (await Store.GetStudyAsync(study.Id, Ct))!.Status);
        Assert.False(await Store.SetStudyStatusAsync(long.MaxValue, StudyStatus.Running, StudyStatus.Stopped, Ct));
    }

    [Fact]
    public async Task Lets_exactly_one_of_many_concurrent_status_changes_win()
    {
        var study = await CreateAsync("race");
        IStudyStore[] stores = [Store, CreateStoreOnSameDatabase()];

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            stores[i % 2].SetStudyStatusAsync(study.Id, StudyStatus.Running, i % 3 == 0 ? StudyStatus.Completed : StudyStatus.Stopped, Ct))));

        Assert.Single(results, r => r);
        Assert.NotEqual(StudyStatus.Running, (await Store.GetStudyAsync(study.Id, Ct))!.Status);
    }

    // ---------------------------------------------------------------- asking for trials

    [Fact]
    public async Task Adds_running_trials_numbered_from_0_without_gaps()
    {
        var study = await CreateAsync("numbers");

        var trials = new List<Trial>();
        for (var i = 0; i < 3; i++)
        {
            trials.Add((await Store.AddTrialAsync(study.Id, TrialLimits.None, _ => new Dictionary<string, double> { ["x"] = i + 0.25, ["n"] = i }, T0 + i, Ct))!);
        }

        Assert.Equal([0, 1, 2], trials.Select(t => t.Number));
        for (var i = 0; i < 3; i++)
        {
            var trial = trials[i];
            Assert.Equal(study.Id, trial.StudyId);
            Assert.Equal(TrialState.Running, trial.State);
            Assert.Equal(new Dictionary<string, double> { ["x"] = i + 0.25, ["n"] = i }, trial.Params);
            Assert.Null(trial.Values);
            Assert.Empty(trial.Intermediate);
            Assert.Equal(T0 + i, trial.StartedAt);
            Assert.Null(trial.CompletedAt);
            Assert.Null(trial.RunId);
            Assert.Null(trial.JobId);
            Assert.Null(trial.Error);
            AssertSameTrial(trial, await Store.GetTrialAsync(study.Id, i, Ct));
        }

        var listed = await Store.ListTrialsAsync(study.Id, Ct);
        Assert.Equal(3, listed.Count);
        for (var i = 0; i < 3; i++)
        {
            AssertSameTrial(trials[i], listed[i]);
        }
    }

    [Fact]
    public async Task Numbers_the_trials_of_each_study_on_their_own()
    {
        var first = await CreateAsync("own-1");
        var second = await CreateAsync("own-2");

        var a0 = await AddAsync(first.Id);
        var b0 = await AddAsync(second.Id);
        var a1 = await AddAsync(first.Id);
        var b1 = await AddAsync(second.Id);

        Assert.Equal([0, 1], new[] { a0!.Number, a1!.Number });
        Assert.Equal([0, 1], new[] { b0!.Number, b1!.Number });
        Assert.All(await Store.ListTrialsAsync(first.Id, Ct), t => Assert.Equal(first.Id, t.StudyId));
        Assert.All(await Store.ListTrialsAsync(second.Id, Ct), t => Assert.Equal(second.Id, t.StudyId));
    }

    [Fact]
    public async Task Keeps_parameter_values_exactly()
    {
        var study = await CreateAsync("params");
        var values = new Dictionary<string, double>
        {
            ["third"] = 1.0 / 3,
            ["tiny"] = 5e-324,
            ["huge"] = -1.7976931348623157e308,
            ["index"] = 4,
            ["zero"] = 0,
            ["nearly_one"] = 0.1 + 0.2 + 0.7,
        };

        var trial = (await Store.AddTrialAsync(study.Id, TrialLimits.None, _ => values, T0, Ct))!;

        Assert.Equal(values, trial.Params);
        Assert.Equal(values, (await Store.GetTrialAsync(study.Id, 0, Ct))!.Params);
    }

    [Fact]
    public async Task Proposes_the_first_trial_from_an_empty_history()
    {
        var study = await CreateAsync("empty-history");
        IReadOnlyList<Trial>? seen = null;

        await Store.AddTrialAsync(study.Id, TrialLimits.None, history =>
        {
            seen = [.. history];
            return new Dictionary<string, double> { ["x"] = 1 };
        }, T0, Ct);

        Assert.NotNull(seen);
        Assert.Empty(seen);
    }

    [Fact]
    public async Task Passes_the_whole_history_with_running_trials_and_their_reports_to_propose()
    {
        var study = await CreateAsync("history");
        await AddAsync(study.Id, x: 0.1);
        await AddAsync(study.Id, x: 0.2);
        await AddAsync(study.Id, x: 0.3);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [0.9], null, T0 + 10, Ct);
        await Store.ReportAsync(study.Id, 1, 0, 0.5, Ct);
        await Store.ReportAsync(study.Id, 1, 1, 0.4, Ct);
        await Store.FinishTrialAsync(study.Id, 2, TrialState.Failed, null, "out of memory", T0 + 11, Ct);
        IReadOnlyList<Trial>? seen = null;

        var added = await Store.AddTrialAsync(study.Id, TrialLimits.None, history =>
        {
            seen = [.. history];
            return new Dictionary<string, double> { ["x"] = history.Count };
        }, T0 + 20, Ct);

        Assert.NotNull(seen);
        Assert.Equal([0, 1, 2], seen.Select(t => t.Number));
        Assert.Equal([TrialState.Complete, TrialState.Running, TrialState.Failed], seen.Select(t => t.State));
        Assert.Equal(new Dictionary<string, double> { ["x"] = 0.2 }, seen[1].Params);
        Assert.Equal([0.9], seen[0].Values!);
        Assert.Equal(new Dictionary<int, double> { [0] = 0.5, [1] = 0.4 }, seen[1].Intermediate);
        Assert.Equal("out of memory", seen[2].Error);
        Assert.Equal(3, added!.Number);
        Assert.Equal(3, added.Params["x"]);
    }

    [Fact]
    public async Task Adds_nothing_once_the_study_has_max_trials_of_any_state_and_does_not_ask_propose()
    {
        var study = await CreateAsync("max-trials");
        var limits = new TrialLimits(MaxTrials: 2);
        var calls = 0;
        IReadOnlyDictionary<string, double> Propose(IReadOnlyList<Trial> history)
        {
            calls++;
            return new Dictionary<string, double> { ["x"] = history.Count };
        }

        var first = await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        var second = await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        var third = await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [1], null, T0 + 1, Ct);
        await Store.FinishTrialAsync(study.Id, 1, TrialState.Pruned, null, null, T0 + 1, Ct);
        var afterFinishing = await Store.AddTrialAsync(study.Id, limits, Propose, T0 + 2, Ct);

        Assert.Equal([0, 1], new[] { first!.Number, second!.Number });
        Assert.Null(third);
        Assert.Null(afterFinishing);
        Assert.Equal(2, calls);
        Assert.Equal(2, (await Store.ListTrialsAsync(study.Id, Ct)).Count);
        Assert.Equal(2, (await Store.AddTrialAsync(study.Id, new TrialLimits(MaxTrials: 3), Propose, T0 + 3, Ct))!.Number);
    }

    [Fact]
    public async Task Adds_nothing_while_max_running_trials_run_and_does_not_ask_propose()
    {
        var study = await CreateAsync("max-running");
        var limits = new TrialLimits(MaxRunning: 2);
        var calls = 0;
        IReadOnlyDictionary<string, double> Propose(IReadOnlyList<Trial> history)
        {
            calls++;
            return new Dictionary<string, double> { ["x"] = history.Count };
        }

        await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        var whileTwoRun = await Store.AddTrialAsync(study.Id, limits, Propose, T0, Ct);
        var callsWhileFull = calls;
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Failed, null, "boom", T0 + 1, Ct);
        var afterOneFinished = await Store.AddTrialAsync(study.Id, limits, Propose, T0 + 2, Ct);
        var fullAgain = await Store.AddTrialAsync(study.Id, limits, Propose, T0 + 3, Ct);

        Assert.Null(whileTwoRun);
        Assert.Equal(2, callsWhileFull);
        Assert.Equal(2, afterOneFinished!.Number);
        Assert.Null(fullAgain);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Applies_both_limits_together()
    {
        var study = await CreateAsync("both-limits");
        var limits = new TrialLimits(MaxTrials: 3, MaxRunning: 1);

        var first = await AddAsync(study.Id, limits: limits);
        var blockedByRunning = await AddAsync(study.Id, limits: limits);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [1], null, T0, Ct);
        var second = await AddAsync(study.Id, limits: limits);
        await Store.FinishTrialAsync(study.Id, 1, TrialState.Complete, [1], null, T0, Ct);
        var third = await AddAsync(study.Id, limits: limits);
        await Store.FinishTrialAsync(study.Id, 2, TrialState.Complete, [1], null, T0, Ct);
        var blockedByTotal = await AddAsync(study.Id, limits: limits);

        Assert.Equal([0, 1, 2], new[] { first!.Number, second!.Number, third!.Number });
        Assert.Null(blockedByRunning);
        Assert.Null(blockedByTotal);
    }

    [Fact]
    public async Task Adds_no_trial_when_propose_throws_and_the_next_trial_takes_the_free_number()
    {
        var study = await CreateAsync("propose-throws");
        await AddAsync(study.Id);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Store.AddTrialAsync(study.Id, TrialLimits.None, _ => throw new InvalidOperationException("sampler failed"), T0, Ct));
        var next = await AddAsync(study.Id);

        Assert.Equal(1, next!.Number);
        Assert.Equal([0, 1], (await Store.ListTrialsAsync(study.Id, Ct)).Select(t => t.Number));
    }

    [Fact]
    public async Task Numbers_32_concurrent_asks_on_two_store_instances_consecutively_and_each_sees_the_ones_before()
    {
        const int Asks = 32;
        var study = await CreateAsync("concurrent");
        IStudyStore[] stores = [Store, CreateStoreOnSameDatabase()];
        var seen = new ConcurrentDictionary<int, (int Count, int Running)>();
        using var start = new ManualResetEventSlim();

        var asks = Enumerable.Range(0, Asks).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return (await stores[i % 2].AddTrialAsync(study.Id, TrialLimits.None, history =>
                new Dictionary<string, double> { ["seen"] = history.Count, ["running"] = history.Count(t => t.State == TrialState.Running) }, T0 + i, Ct))!;
        })).ToList();
        start.Set();
        var trials = await Task.WhenAll(asks);

        Assert.Equal(Enumerable.Range(0, Asks), trials.Select(t => t.Number).Order());
        Assert.All(trials, t => Assert.Equal(t.Number, t.Params["seen"]));
        Assert.All(trials, t => Assert.Equal(t.Number, t.Params["running"]));
        Assert.Equal(Enumerable.Range(0, Asks), (await Store.ListTrialsAsync(study.Id, Ct)).Select(t => t.Number));
    }

    [Fact]
    public async Task Stops_concurrent_asks_exactly_at_max_running()
    {
        var study = await CreateAsync("concurrent-limit");
        IStudyStore[] stores = [Store, CreateStoreOnSameDatabase()];
        var calls = 0;

        var trials = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() =>
            stores[i % 2].AddTrialAsync(study.Id, new TrialLimits(MaxTrials: 10, MaxRunning: 5), _ =>
            {
                Interlocked.Increment(ref calls);
                return new Dictionary<string, double> { ["x"] = i };
            }, T0, Ct))));

        Assert.Equal([0, 1, 2, 3, 4], trials.OfType<Trial>().Select(t => t.Number).Order());
        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task Returns_null_or_nothing_for_trials_that_do_not_exist()
    {
        var study = await CreateAsync("no-trials");

        Assert.Null(await Store.GetTrialAsync(study.Id, 0, Ct));
        Assert.Empty(await Store.ListTrialsAsync(study.Id, Ct));
        Assert.Empty(await Store.ListTrialsAsync(long.MaxValue, Ct));
        await AddAsync(study.Id);
        Assert.Null(await Store.GetTrialAsync(study.Id, 1, Ct));
        Assert.Null(await Store.GetTrialAsync(long.MaxValue, 0, Ct));
    }

    // ---------------------------------------------------------------- intermediate values

    [Fact]
    public async Task Stores_intermediate_values_per_step()
    {
        var study = await CreateAsync("report");
        await AddAsync(study.Id);

        var reported = new List<bool>
        {
            await Store.ReportAsync(study.Id, 0, 5, 0.5, Ct),
            await Store.ReportAsync(study.Id, 0, 0, 0.75, Ct),
            await Store.ReportAsync(study.Id, 0, 1, -1.0 / 3, Ct),
            await Store.ReportAsync(study.Id, 0, int.MaxValue, 1e-300, Ct),
        };

        Assert.All(reported, Assert.True);
        var expected = new Dictionary<int, double> { [0] = 0.75, [1] = -1.0 / 3, [5] = 0.5, [int.MaxValue] = 1e-300 };
        Assert.Equal(expected, (await Store.GetTrialAsync(study.Id, 0, Ct))!.Intermediate);
        Assert.Equal(expected, (await Store.ListTrialsAsync(study.Id, Ct))[0].Intermediate);
    }

    [Fact]
    public async Task Replaces_the_value_of_a_step_reported_again()
    {
        var study = await CreateAsync("report-again");
        await AddAsync(study.Id);
        await Store.ReportAsync(study.Id, 0, 3, 0.1, Ct);
        await Store.ReportAsync(study.Id, 0, 4, 0.2, Ct);

        var again = await Store.ReportAsync(study.Id, 0, 3, 0.9, Ct);

        Assert.True(again);
        Assert.Equal(new Dictionary<int, double> { [3] = 0.9, [4] = 0.2 }, (await Store.GetTrialAsync(study.Id, 0, Ct))!.Intermediate);
    }

    [Fact]
    public async Task Keeps_a_reported_NaN_as_NaN()
    {
        var study = await CreateAsync("nan");
        await AddAsync(study.Id);

        await Store.ReportAsync(study.Id, 0, 0, 0.5, Ct);
        await Store.ReportAsync(study.Id, 0, 1, double.NaN, Ct);
        await Store.ReportAsync(study.Id, 0, 0, double.NaN, Ct);

        var intermediate = (await Store.GetTrialAsync(study.Id, 0, Ct))!.Intermediate;
        Assert.Equal(2, intermediate.Count);
        Assert.True(double.IsNaN(intermediate[0]), $"step 0 is {intermediate[0]}");
        Assert.True(double.IsNaN(intermediate[1]), $"step 1 is {intermediate[1]}");
    }

    [Fact]
    public async Task Keeps_the_reports_of_two_trials_apart()
    {
        var study = await CreateAsync("reports-apart");
        await AddAsync(study.Id);
        await AddAsync(study.Id);

        await Store.ReportAsync(study.Id, 0, 0, 1, Ct);
        await Store.ReportAsync(study.Id, 1, 0, 2, Ct);
        await Store.ReportAsync(study.Id, 1, 1, 3, Ct);

        var trials = await Store.ListTrialsAsync(study.Id, Ct);
        Assert.Equal(new Dictionary<int, double> { [0] = 1 }, trials[0].Intermediate);
        Assert.Equal(new Dictionary<int, double> { [0] = 2, [1] = 3 }, trials[1].Intermediate);
        Assert.Equal(new Dictionary<int, double> { [0] = 2, [1] = 3 }, (await Store.GetTrialAsync(study.Id, 1, Ct))!.Intermediate);
    }

    [Theory]
    [InlineData(TrialState.Complete)]
    [InlineData(TrialState.Pruned)]
    [InlineData(TrialState.Failed)]
    public async Task Refuses_a_report_on_a_finished_trial_and_keeps_its_values(TrialState state)
    {
        var study = await CreateAsync("report-finished");
        await AddAsync(study.Id);
        await Store.ReportAsync(study.Id, 0, 0, 0.5, Ct);
        await Store.FinishTrialAsync(study.Id, 0, state, state == TrialState.Complete ? [0.5] : null, null, T0 + 1, Ct);

        var late = await Store.ReportAsync(study.Id, 0, 0, 0.1, Ct);
        var newStep = await Store.ReportAsync(study.Id, 0, 1, 0.1, Ct);

        Assert.False(late);
        Assert.False(newStep);
        Assert.Equal(new Dictionary<int, double> { [0] = 0.5 }, (await Store.GetTrialAsync(study.Id, 0, Ct))!.Intermediate);
    }

    [Fact]
    public async Task Refuses_a_report_on_a_trial_that_does_not_exist()
    {
        var study = await CreateAsync("report-missing");

        Assert.False(await Store.ReportAsync(study.Id, 0, 0, 1, Ct));
        Assert.False(await Store.ReportAsync(long.MaxValue, 0, 0, 1, Ct));
    }

    // ---------------------------------------------------------------- finishing trials

    [Fact]
    public async Task Finishes_a_trial_with_its_values_exactly_and_the_completion_time()
    {
        var study = await CreateAsync("finish", directions: [StudyDirection.Minimize, StudyDirection.Maximize, StudyDirection.Minimize]);
        await AddAsync(study.Id);
        double[] values = [1.0 / 3, -1e-12, 1.7976931348623157e308];

        var finished = await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, values, null, T0 + 500, Ct);

        Assert.True(finished);
        var trial = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        Assert.Equal(TrialState.Complete, trial.State);
        Assert.Equal(values, trial.Values!);
        Assert.Equal(T0 + 500, trial.CompletedAt);
        Assert.Equal(T0, trial.StartedAt);
        Assert.Null(trial.Error);
        Assert.True(trial.IsFinished);
    }

    [Fact]
    public async Task Finishes_a_failed_trial_with_its_error_and_no_values()
    {
        var study = await CreateAsync("fail");
        await AddAsync(study.Id);

        var finished = await Store.FinishTrialAsync(study.Id, 0, TrialState.Failed, null, "CUDA error: out of memory", T0 + 1, Ct);

        Assert.True(finished);
        var trial = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        Assert.Equal(TrialState.Failed, trial.State);
        Assert.Null(trial.Values);
        Assert.Equal("CUDA error: out of memory", trial.Error);
        Assert.Equal(T0 + 1, trial.CompletedAt);
    }

    [Fact]
    public async Task Finishes_a_pruned_trial_and_keeps_its_reports()
    {
        var study = await CreateAsync("prune");
        await AddAsync(study.Id);
        await Store.ReportAsync(study.Id, 0, 0, 0.3, Ct);

        var finished = await Store.FinishTrialAsync(study.Id, 0, TrialState.Pruned, null, null, T0 + 2, Ct);

        Assert.True(finished);
        var trial = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        Assert.Equal(TrialState.Pruned, trial.State);
        Assert.Null(trial.Values);
        Assert.Equal(new Dictionary<int, double> { [0] = 0.3 }, trial.Intermediate);
    }

    [Fact]
    public async Task Finishes_a_trial_only_once_and_a_second_finish_changes_nothing()
    {
        var study = await CreateAsync("finish-once");
        await AddAsync(study.Id);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [0.25], null, T0 + 1, Ct);
        var before = (await Store.GetTrialAsync(study.Id, 0, Ct))!;

        var asComplete = await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [0.75], null, T0 + 2, Ct);
        var asFailed = await Store.FinishTrialAsync(study.Id, 0, TrialState.Failed, null, "late failure", T0 + 3, Ct);

        Assert.False(asComplete);
        Assert.False(asFailed);
        AssertSameTrial(before, await Store.GetTrialAsync(study.Id, 0, Ct));
        Assert.Equal([0.25], before.Values!);
        Assert.Equal(T0 + 1, before.CompletedAt);
    }

    [Fact]
    public async Task Lets_exactly_one_of_many_concurrent_finishes_win()
    {
        var study = await CreateAsync("finish-race");
        await AddAsync(study.Id);
        IStudyStore[] stores = [Store, CreateStoreOnSameDatabase()];

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            stores[i % 2].FinishTrialAsync(study.Id, 0, TrialState.Complete, [i], null, T0 + i, Ct))));

        var winner = Array.IndexOf(results, true);
        Assert.Single(results, r => r);
        var trial = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        Assert.Equal([(double)winner], trial.Values!);
        Assert.Equal(T0 + winner, trial.CompletedAt);
    }

    [Fact]
    public async Task Refuses_to_finish_a_trial_that_does_not_exist()
    {
        var study = await CreateAsync("finish-missing");

        Assert.False(await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [1], null, T0, Ct));
        Assert.False(await Store.FinishTrialAsync(long.MaxValue, 0, TrialState.Complete, [1], null, T0, Ct));
    }

    // ---------------------------------------------------------------- links

    [Fact]
    public async Task Links_a_trial_to_its_run_and_job_and_a_null_link_leaves_the_other_as_it_is()
    {
        var study = await CreateAsync("links");
        await AddAsync(study.Id);
        await AddAsync(study.Id);

        await Store.SetTrialLinksAsync(study.Id, 0, null, 41, Ct);
        var jobOnly = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        await Store.SetTrialLinksAsync(study.Id, 0, "fedcba9876543210fedcba9876543210", null, Ct);
        var both = (await Store.GetTrialAsync(study.Id, 0, Ct))!;

        Assert.Null(jobOnly.RunId);
        Assert.Equal(41, jobOnly.JobId);
        Assert.Equal("fedcba9876543210fedcba9876543210", both.RunId);
        Assert.Equal(41, both.JobId);
        var other = (await Store.GetTrialAsync(study.Id, 1, Ct))!;
        Assert.Null(other.RunId);
        Assert.Null(other.JobId);
    }

    [Fact]
    public async Task Links_a_finished_trial_and_keeps_its_result()
    {
        var study = await CreateAsync("links-finished");
        await AddAsync(study.Id);
        await Store.FinishTrialAsync(study.Id, 0, TrialState.Complete, [0.5], null, T0 + 1, Ct);

        await Store.SetTrialLinksAsync(study.Id, 0, "0123456789abcdef0123456789abcdef", 7, Ct);

        var trial = (await Store.GetTrialAsync(study.Id, 0, Ct))!;
        Assert.Equal("0123456789abcdef0123456789abcdef", trial.RunId);
        Assert.Equal(7, trial.JobId);
        Assert.Equal(TrialState.Complete, trial.State);
        Assert.Equal([0.5], trial.Values!);
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A study name no other test uses.</summary>
    protected string Name(string suffix) => _prefix + suffix;

    protected Task<Study> CreateAsync(string suffix, IReadOnlyList<StudyDirection>? directions = null, SearchSpace? space = null) =>
        Store.CreateStudyAsync(new NewStudy(Name(suffix), directions ?? [StudyDirection.Minimize], space ?? SmallSpace(), new SamplerSpec("random", 7), PrunerSpec.None), T0, Ct);

    protected Task<Trial?> AddAsync(long studyId, double x = 0.5, TrialLimits? limits = null, long now = T0) =>
        Store.AddTrialAsync(studyId, limits ?? TrialLimits.None, _ => new Dictionary<string, double> { ["x"] = x }, now, Ct);

    protected static SearchSpace SmallSpace() => new([
        new FloatDistribution("x", 0, 1),
        new IntDistribution("n", 1, 10),
        new CategoricalDistribution("kind", ["a", "b"]),
    ]);

    /// <summary>Every property of every parameter, with the runtime type of each choice, in the space's order.</summary>
    protected static IReadOnlyList<string> Shape(SearchSpace space) => [.. space.Parameters.Select(Shape)];

    protected static void AssertSameTrial(Trial expected, Trial? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.StudyId, expected.Number, expected.State), (actual.StudyId, actual.Number, actual.State));
        Assert.Equal(expected.Params, actual.Params);
        Assert.Equal(expected.Values, actual.Values);
        Assert.Equal(expected.Intermediate, actual.Intermediate);
        Assert.Equal((expected.StartedAt, expected.CompletedAt), (actual.StartedAt, actual.CompletedAt));
        Assert.Equal((expected.RunId, expected.JobId, expected.Error), (actual.RunId, actual.JobId, actual.Error));
    }

    private static string Shape(ParameterDistribution parameter)
    {
        var body = parameter switch
        {
            FloatDistribution f => $"float [{Typed(f.Low)}, {Typed(f.High)}] log={f.Log} step={(f.Step is { } step ? Typed(step) : "none")}",
            IntDistribution i => $"int [{i.Low}, {i.High}] log={i.Log} step={i.Step}",
            CategoricalDistribution c => $"categorical [{string.Join(", ", c.Choices.Select(Typed))}]",
            _ => parameter.GetType().Name,
        };
        var condition = parameter.Condition is { } when ? $" when {when.Parent} in [{string.Join(", ", when.Values.Select(Typed))}]" : "";
        return $"{parameter.Name}: {body}{condition}";
    }

    private static string Typed(object value) => $"{value.GetType().Name}:{Convert.ToString(value, CultureInfo.InvariantCulture)}";
}
