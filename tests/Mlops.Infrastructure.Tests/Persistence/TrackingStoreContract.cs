using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>
/// What every <see cref="ITrackingStore"/> adapter must do, written once and run against each adapter.
/// A subclass supplies a store over an empty database of its own and cleans it up (usually in Dispose).
/// Tests only use the port, so nothing here may depend on one backend; experiment searches filter by a
/// per-test name prefix so the suite also holds on a database shared by earlier tests.
/// </summary>
public abstract class TrackingStoreContract
{
    protected const long T0 = 1_700_000_000_000;

    private ITrackingStore? _store;

    /// <summary>Creates the store under test. Called at most once per test, on first use.</summary>
    protected abstract ITrackingStore CreateStore();

    protected ITrackingStore Store => _store ??= CreateStore();

    protected static CancellationToken Ct => CancellationToken.None;

    private readonly string _prefix = "exp-" + Guid.NewGuid().ToString("N")[..12] + "-";

    // ---------------------------------------------------------------- experiments

    [Fact]
    public async Task Has_the_default_experiment_0_named_Default()
    {
        var experiment = await Store.GetExperimentAsync(Experiment.DefaultExperimentId, Ct);

        Assert.NotNull(experiment);
        Assert.Equal("0", experiment.ExperimentId);
        Assert.Equal("Default", experiment.Name);
        Assert.Equal(LifecycleStage.Active, experiment.LifecycleStage);
        Assert.Equal("mlflow-artifacts:/0", experiment.ArtifactLocation);
        Assert.Equal("0", (await Store.GetExperimentByNameAsync(Experiment.DefaultExperimentName, Ct))?.ExperimentId);
    }

    [Fact]
    public async Task Creates_an_experiment_and_gets_it_by_id_and_by_name()
    {
        var name = _prefix + "create";
        Tag[] tags = [new("owner", "alice"), new("team", "vision")];

        var id = await Store.CreateExperimentAsync(name, null, tags, T0, Ct);

        var byId = await Store.GetExperimentAsync(id, Ct);
        Assert.NotNull(byId);
        Assert.Equal(id, byId.ExperimentId);
        Assert.Equal(name, byId.Name);
        Assert.Equal(LifecycleStage.Active, byId.LifecycleStage);
        Assert.Equal(T0, byId.CreationTime);
        Assert.Equal(T0, byId.LastUpdateTime);
        Assert.Equal(tags, Sorted(byId.Tags));
        var byName = await Store.GetExperimentByNameAsync(name, Ct);
        Assert.NotNull(byName);
        Assert.Equal(byId with { Tags = [] }, byName with { Tags = [] });
        Assert.Equal(tags, Sorted(byName.Tags));
    }

    [Fact]
    public async Task Derives_the_artifact_location_from_the_new_id_when_none_is_given()
    {
        var id = await Store.CreateExperimentAsync(_prefix + "derived", null, [], T0, Ct);

        Assert.Equal("mlflow-artifacts:/" + id, (await Store.GetExperimentAsync(id, Ct))!.ArtifactLocation);
    }

    [Fact]
    public async Task Keeps_an_explicit_artifact_location()
    {
        var id = await Store.CreateExperimentAsync(_prefix + "explicit", "mlflow-artifacts:/team/x", [], T0, Ct);

        Assert.Equal("mlflow-artifacts:/team/x", (await Store.GetExperimentAsync(id, Ct))!.ArtifactLocation);
    }

    [Fact]
    public async Task Gives_each_experiment_a_distinct_id()
    {
        var first = await Store.CreateExperimentAsync(_prefix + "a", null, [], T0, Ct);
        var second = await Store.CreateExperimentAsync(_prefix + "b", null, [], T0, Ct);

        Assert.NotEqual(first, second);
        Assert.NotEqual("0", first);
    }

    [Theory]
    [InlineData("987654321")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    public async Task Returns_null_for_an_unknown_experiment_id(string experimentId)
    {
        Assert.Null(await Store.GetExperimentAsync(experimentId, Ct));
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_experiment_name()
    {
        Assert.Null(await Store.GetExperimentByNameAsync(_prefix + "missing", Ct));
    }

    [Fact]
    public async Task Rejects_a_taken_experiment_name_with_already_exists()
    {
        var name = _prefix + "taken";
        await Store.CreateExperimentAsync(name, null, [], T0, Ct);

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.CreateExperimentAsync(name, null, [new("t", "v")], T0, Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Empty((await Store.GetExperimentByNameAsync(name, Ct))!.Tags);
    }

    [Fact]
    public async Task Rejects_the_name_of_a_deleted_experiment()
    {
        var name = _prefix + "deleted";
        var id = await Store.CreateExperimentAsync(name, null, [], T0, Ct);
        await Store.SetExperimentLifecycleAsync(id, LifecycleStage.Deleted, T0 + 1, Ct);

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.CreateExperimentAsync(name, null, [], T0, Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
    }

    [Fact]
    public async Task Renames_an_experiment()
    {
        var id = await Store.CreateExperimentAsync(_prefix + "old", null, [], T0, Ct);

        await Store.RenameExperimentAsync(id, _prefix + "new", T0 + 5, Ct);

        var experiment = await Store.GetExperimentAsync(id, Ct);
        Assert.Equal(_prefix + "new", experiment!.Name);
        Assert.Equal(T0, experiment.CreationTime);
        Assert.Equal(T0 + 5, experiment.LastUpdateTime);
        Assert.Null(await Store.GetExperimentByNameAsync(_prefix + "old", Ct));
        Assert.Equal(id, (await Store.GetExperimentByNameAsync(_prefix + "new", Ct))?.ExperimentId);
    }

    [Fact]
    public async Task Rejects_renaming_to_a_taken_name_with_already_exists()
    {
        var first = await Store.CreateExperimentAsync(_prefix + "first", null, [], T0, Ct);
        await Store.CreateExperimentAsync(_prefix + "second", null, [], T0, Ct);

        var error = await Assert.ThrowsAsync<MlopsException>(() => Store.RenameExperimentAsync(first, _prefix + "second", T0 + 1, Ct));

        Assert.Equal(ErrorKind.AlreadyExists, error.Kind);
        Assert.Equal(_prefix + "first", (await Store.GetExperimentAsync(first, Ct))!.Name);
    }

    [Fact]
    public async Task Raises_not_found_when_changing_an_unknown_experiment()
    {
        await AssertKind(ErrorKind.NotFound, () => Store.RenameExperimentAsync("987654321", _prefix + "x", T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetExperimentLifecycleAsync("987654321", LifecycleStage.Deleted, T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetExperimentTagAsync("987654321", new Tag("k", "v"), T0, Ct));
    }

    [Fact]
    public async Task Deleting_an_experiment_deletes_its_runs_and_restoring_restores_them()
    {
        var experimentId = await NewExperimentAsync();
        var otherId = await NewExperimentAsync();
        var first = await NewRunAsync(experimentId);
        var second = await NewRunAsync(experimentId);
        var other = await NewRunAsync(otherId);

        await Store.SetExperimentLifecycleAsync(experimentId, LifecycleStage.Deleted, T0 + 10, Ct);

        var deleted = await Store.GetExperimentAsync(experimentId, Ct);
        Assert.Equal(LifecycleStage.Deleted, deleted!.LifecycleStage);
        Assert.Equal(T0 + 10, deleted.LastUpdateTime);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetRunInfoAsync(first.RunId, Ct))!.LifecycleStage);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetRunInfoAsync(second.RunId, Ct))!.LifecycleStage);
        Assert.Equal(LifecycleStage.Active, (await Store.GetRunInfoAsync(other.RunId, Ct))!.LifecycleStage);

        await Store.SetExperimentLifecycleAsync(experimentId, LifecycleStage.Active, T0 + 20, Ct);

        var restored = await Store.GetExperimentAsync(experimentId, Ct);
        Assert.Equal(LifecycleStage.Active, restored!.LifecycleStage);
        Assert.Equal(T0 + 20, restored.LastUpdateTime);
        Assert.Equal(LifecycleStage.Active, (await Store.GetRunInfoAsync(first.RunId, Ct))!.LifecycleStage);
        Assert.Equal(LifecycleStage.Active, (await Store.GetRunInfoAsync(second.RunId, Ct))!.LifecycleStage);
    }

    [Fact]
    public async Task Upserts_experiment_tags()
    {
        var id = await Store.CreateExperimentAsync(_prefix + "tags", null, [new("a", "1")], T0, Ct);

        await Store.SetExperimentTagAsync(id, new Tag("b", "2"), T0 + 1, Ct);
        await Store.SetExperimentTagAsync(id, new Tag("a", "changed"), T0 + 2, Ct);

        var experiment = await Store.GetExperimentAsync(id, Ct);
        Assert.Equal([new Tag("a", "changed"), new Tag("b", "2")], Sorted(experiment!.Tags));
        Assert.Equal(T0 + 2, experiment.LastUpdateTime);
    }

    [Fact]
    public async Task Searches_experiments_by_name_and_tag()
    {
        await Store.CreateExperimentAsync(_prefix + "vision-a", null, [new("team", "vision")], T0, Ct);
        await Store.CreateExperimentAsync(_prefix + "vision-b", null, [new("team", "nlp")], T0 + 1, Ct);
        await Store.CreateExperimentAsync(_prefix + "speech", null, [new("team", "vision")], T0 + 2, Ct);

        Assert.Equal(["speech", "vision-a"], await SearchExperimentNamesAsync($"tags.team = 'vision'", ["name ASC"]));
        Assert.Equal(["vision-a", "vision-b"], await SearchExperimentNamesAsync($"name LIKE '{_prefix}vision%'", ["name"]));
        Assert.Equal(["vision-b"], await SearchExperimentNamesAsync($"attributes.creation_time = {T0 + 1}", []));
    }

    [Fact]
    public async Task Orders_experiments_by_name_or_creation_time()
    {
        await Store.CreateExperimentAsync(_prefix + "b", null, [], T0 + 1, Ct);
        await Store.CreateExperimentAsync(_prefix + "c", null, [], T0 + 2, Ct);
        await Store.CreateExperimentAsync(_prefix + "a", null, [], T0 + 3, Ct);

        Assert.Equal(["c", "b", "a"], await SearchExperimentNamesAsync(null, ["name DESC"]));
        Assert.Equal(["b", "c", "a"], await SearchExperimentNamesAsync(null, ["creation_time ASC"]));
        Assert.Equal(["a", "c", "b"], await SearchExperimentNamesAsync(null, []));
    }

    [Fact]
    public async Task Searches_experiments_by_view_type()
    {
        await Store.CreateExperimentAsync(_prefix + "active", null, [], T0, Ct);
        var deleted = await Store.CreateExperimentAsync(_prefix + "deleted", null, [], T0, Ct);
        await Store.SetExperimentLifecycleAsync(deleted, LifecycleStage.Deleted, T0 + 1, Ct);

        Assert.Equal(["active"], await SearchExperimentNamesAsync(null, ["name"], ViewType.ActiveOnly));
        Assert.Equal(["deleted"], await SearchExperimentNamesAsync(null, ["name"], ViewType.DeletedOnly));
        Assert.Equal(["active", "deleted"], await SearchExperimentNamesAsync(null, ["name"], ViewType.All));
    }

    [Fact]
    public async Task Pages_through_experiments_with_has_more()
    {
        for (var i = 0; i < 7; i++)
        {
            await Store.CreateExperimentAsync($"{_prefix}{i:D2}", null, [], T0 + i, Ct);
        }

        var filter = SearchFilterParser.Parse($"name LIKE '{_prefix}%'", SearchTarget.Experiments);
        var orderBy = OrderByParser.Parse(["name"], SearchTarget.Experiments);
        var names = new List<string>();
        var pages = new List<bool>();
        for (long offset = 0; ; offset += 3)
        {
            var page = await Store.SearchExperimentsAsync(new ExperimentQuery(filter, orderBy, ViewType.ActiveOnly, 3, offset), Ct);
            names.AddRange(page.Items.Select(e => e.Name[_prefix.Length..]));
            pages.Add(page.HasMore);
            if (!page.HasMore)
            {
                break;
            }
        }

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"{i:D2}"), names);
        Assert.Equal([true, true, false], pages);
    }

    [Fact]
    public async Task Returns_experiment_tags_from_a_search()
    {
        await Store.CreateExperimentAsync(_prefix + "tagged", null, [new("k", "v")], T0, Ct);

        var page = await Store.SearchExperimentsAsync(
            new ExperimentQuery(SearchFilterParser.Parse($"name = '{_prefix}tagged'", SearchTarget.Experiments), [], ViewType.ActiveOnly, 10, 0), Ct);

        Assert.Equal([new Tag("k", "v")], Assert.Single(page.Items).Tags);
    }

    // ---------------------------------------------------------------- runs

    [Fact]
    public async Task Creates_a_run_with_tags_and_reads_it_back()
    {
        var experimentId = await NewExperimentAsync();
        var info = await NewRunAsync(experimentId, "brave-otter-1", T0 + 7, [new("team", "vision"), new("mlflow.user", "alice")]);

        Assert.Equal(info, await Store.GetRunInfoAsync(info.RunId, Ct));
        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.NotNull(run);
        Assert.Equal(info, run.Info);
        Assert.Equal([new Tag("mlflow.runName", "brave-otter-1"), new Tag("mlflow.user", "alice"), new Tag("team", "vision")], Sorted(run.Tags));
        Assert.Empty(run.LatestMetrics);
        Assert.Empty(run.Params);
        Assert.Empty(run.Inputs);
    }

    [Fact]
    public async Task Creates_a_run_in_the_default_experiment()
    {
        var info = await NewRunAsync(Experiment.DefaultExperimentId);

        Assert.Equal("0", (await Store.GetRunInfoAsync(info.RunId, Ct))!.ExperimentId);
    }

    [Fact]
    public async Task Rejects_a_duplicate_run_id_with_already_exists()
    {
        var experimentId = await NewExperimentAsync();
        var info = await NewRunAsync(experimentId, "first");

        await AssertKind(ErrorKind.AlreadyExists, () => Store.CreateRunAsync(info with { RunName = "second" }, [new("t", "v")], Ct));

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal("first", run!.Info.RunName);
        Assert.DoesNotContain(run.Tags, t => t.Key == "t");
    }

    [Fact]
    public async Task Raises_not_found_when_creating_a_run_in_an_unknown_experiment()
    {
        var runId = Guid.NewGuid().ToString("N");
        var info = new RunInfo(runId, "987654321", "orphan", "alice", RunStatus.Running, T0, null, "mlflow-artifacts:/987654321/" + runId + "/artifacts", LifecycleStage.Active);

        await AssertKind(ErrorKind.NotFound, () => Store.CreateRunAsync(info, [], Ct));

        Assert.Null(await Store.GetRunInfoAsync(runId, Ct));
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_run()
    {
        Assert.Null(await Store.GetRunInfoAsync("0000000000000000000000000000dead", Ct));
        Assert.Null(await Store.GetRunAsync("0000000000000000000000000000dead", Ct));
    }

    [Fact]
    public async Task Updates_only_the_run_fields_that_are_given()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "name");

        await Store.UpdateRunAsync(info.RunId, RunStatus.Finished, null, null, Ct);
        var afterStatus = await Store.GetRunInfoAsync(info.RunId, Ct);
        Assert.Equal(info with { Status = RunStatus.Finished }, afterStatus);

        await Store.UpdateRunAsync(info.RunId, null, T0 + 99, null, Ct);
        var afterEnd = await Store.GetRunInfoAsync(info.RunId, Ct);
        Assert.Equal(info with { Status = RunStatus.Finished, EndTime = T0 + 99 }, afterEnd);

        await Store.UpdateRunAsync(info.RunId, RunStatus.Failed, T0 + 100, null, Ct);
        Assert.Equal(info with { Status = RunStatus.Failed, EndTime = T0 + 100 }, await Store.GetRunInfoAsync(info.RunId, Ct));
    }

    [Fact]
    public async Task Renaming_a_run_rewrites_its_run_name_tag()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "before");

        await Store.UpdateRunAsync(info.RunId, null, null, "after", Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal("after", run!.Info.RunName);
        Assert.Equal(RunStatus.Running, run.Info.Status);
        Assert.Equal("after", TagValue(run, SystemTags.RunName));
        Assert.Single(run.Tags, t => t.Key == SystemTags.RunName);
    }

    [Fact]
    public async Task Setting_the_run_name_tag_through_a_batch_renames_the_run()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "before");

        await Store.LogBatchAsync(LogBatch.OfTags(info.RunId, new Tag(SystemTags.RunName, "renamed")), Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal("renamed", run!.Info.RunName);
        Assert.Equal("renamed", TagValue(run, SystemTags.RunName));
        Assert.Equal("renamed", (await Store.GetRunInfoAsync(info.RunId, Ct))!.RunName);
    }

    [Fact]
    public async Task Raises_not_found_when_changing_an_unknown_run()
    {
        const string unknown = "0000000000000000000000000000dead";

        await AssertKind(ErrorKind.NotFound, () => Store.UpdateRunAsync(unknown, RunStatus.Finished, T0, null, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetRunLifecycleAsync(unknown, LifecycleStage.Deleted, T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteRunTagAsync(unknown, "k", Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.LogBatchAsync(LogBatch.OfMetrics(unknown, new Metric("m", 1, T0, 0)), Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.LogInputsAsync(unknown, [Input("d", "1")], Ct));
    }

    [Fact]
    public async Task Deletes_and_restores_a_run()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        await Store.SetRunLifecycleAsync(info.RunId, LifecycleStage.Deleted, T0 + 1, Ct);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetRunInfoAsync(info.RunId, Ct))!.LifecycleStage);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetRunAsync(info.RunId, Ct))!.Info.LifecycleStage);

        await Store.SetRunLifecycleAsync(info.RunId, LifecycleStage.Active, T0 + 2, Ct);
        Assert.Equal(info, await Store.GetRunInfoAsync(info.RunId, Ct));
    }

    [Fact]
    public async Task Deletes_a_run_tag()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "r", tags: [new("a", "1"), new("b", "2")]);

        await Store.DeleteRunTagAsync(info.RunId, "a", Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Tag("b", "2"), new Tag(SystemTags.RunName, "r")], Sorted(run!.Tags));
    }

    [Fact]
    public async Task Raises_not_found_when_deleting_an_unknown_tag()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), tags: [new("a", "1")]);

        var error = await AssertKind(ErrorKind.NotFound, () => Store.DeleteRunTagAsync(info.RunId, "missing", Ct));

        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", TagValue((await Store.GetRunAsync(info.RunId, Ct))!, "a"));
    }

    // ---------------------------------------------------------------- log batch

    [Fact]
    public async Task Logs_metrics_params_and_tags_in_one_batch()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "r");

        await Store.LogBatchAsync(new LogBatch(info.RunId,
            [new("acc", 0.9, T0, 1), new("loss", 0.1, T0, 1)],
            [new("lr", "0.01"), new("optimizer", "adam")],
            [new("team", "vision")]), Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Metric("acc", 0.9, T0, 1), new Metric("loss", 0.1, T0, 1)], run!.LatestMetrics.OrderBy(m => m.Key, StringComparer.Ordinal));
        Assert.Equal([new Param("lr", "0.01"), new Param("optimizer", "adam")], run.Params.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal([new Tag(SystemTags.RunName, "r"), new Tag("team", "vision")], Sorted(run.Tags));
    }

    [Fact]
    public async Task Logs_to_a_finished_run()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        await Store.UpdateRunAsync(info.RunId, RunStatus.Finished, T0 + 1, null, Ct);

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, new Metric("late", 1, T0 + 2, 0)), Ct);

        Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.LatestMetrics);
    }

    [Fact]
    public async Task Rejects_a_batch_for_a_deleted_run_and_writes_nothing()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "r");
        await Store.SetRunLifecycleAsync(info.RunId, LifecycleStage.Deleted, T0 + 1, Ct);

        await AssertKind(ErrorKind.InvalidArgument, () => Store.LogBatchAsync(new LogBatch(info.RunId,
            [new("m", 1, T0, 0)], [new("p", "1")], [new("t", "1")]), Ct));

        await Store.SetRunLifecycleAsync(info.RunId, LifecycleStage.Active, T0 + 2, Ct);
        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Empty(run!.LatestMetrics);
        Assert.Empty(run.Params);
        Assert.Equal([new Tag(SystemTags.RunName, "r")], run.Tags);
        Assert.Empty((await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct)).Items);
    }

    [Fact]
    public async Task Rejects_logging_inputs_to_a_deleted_run()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        await Store.SetRunLifecycleAsync(info.RunId, LifecycleStage.Deleted, T0 + 1, Ct);

        await AssertKind(ErrorKind.InvalidArgument, () => Store.LogInputsAsync(info.RunId, [Input("d", "1")], Ct));
    }

    [Fact]
    public async Task Logging_a_param_again_with_the_same_value_is_a_no_op()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        await Store.LogBatchAsync(LogBatch.OfParams(info.RunId, new Param("lr", "0.01")), Ct);

        await Store.LogBatchAsync(new LogBatch(info.RunId, [new("m", 1, T0, 0)], [new("lr", "0.01"), new("bs", "32")], []), Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Param("bs", "32"), new Param("lr", "0.01")], run!.Params.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Single(run.LatestMetrics);
    }

    [Fact]
    public async Task Rejects_a_changed_param_and_writes_nothing_of_the_batch()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "original");
        await Store.LogBatchAsync(LogBatch.OfParams(info.RunId, new Param("lr", "0.01")), Ct);

        var error = await AssertKind(ErrorKind.InvalidArgument, () => Store.LogBatchAsync(new LogBatch(info.RunId,
            [new("acc", 0.5, T0, 0), new("acc", 0.6, T0, 1)],
            [new("a_new_param", "x"), new("lr", "0.02"), new("z_new_param", "y")],
            [new("team", "vision"), new(SystemTags.RunName, "renamed")]), Ct));

        Assert.Contains("lr", error.Message, StringComparison.Ordinal);
        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Param("lr", "0.01")], run!.Params);
        Assert.Empty(run.LatestMetrics);
        Assert.Empty((await Store.GetMetricHistoryAsync(info.RunId, "acc", 0, 100, Ct)).Items);
        Assert.Equal([new Tag(SystemTags.RunName, "original")], run.Tags);
        Assert.Equal("original", run.Info.RunName);
    }

    [Fact]
    public async Task Upserts_run_tags()
    {
        var info = await NewRunAsync(await NewExperimentAsync(), "r", tags: [new("team", "vision")]);

        await Store.LogBatchAsync(LogBatch.OfTags(info.RunId, new Tag("team", "nlp"), new Tag("new", "1")), Ct);

        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Tag(SystemTags.RunName, "r"), new Tag("new", "1"), new Tag("team", "nlp")], Sorted(run!.Tags));
    }

    [Fact]
    public async Task Stores_identical_metric_points_once()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var point = new Metric("m", 0.5, T0, 3);

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point, point), Ct);
        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point), Ct);

        Assert.Equal([point], (await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct)).Items);
    }

    [Fact]
    public async Task Keeps_points_that_differ_only_in_value()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, new Metric("m", 2, T0, 0), new Metric("m", 1, T0, 0)), Ct);

        Assert.Equal([new Metric("m", 1, T0, 0), new Metric("m", 2, T0, 0)], (await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct)).Items);
    }

    [Fact]
    public async Task Round_trips_nan_and_infinities()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        Metric[] points = [new("nan", double.NaN, T0, 0), new("pos", double.PositiveInfinity, T0, 0), new("neg", double.NegativeInfinity, T0, 0)];

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, points), Ct);

        var latest = (await Store.GetRunAsync(info.RunId, Ct))!.LatestMetrics.ToDictionary(m => m.Key);
        Assert.True(double.IsNaN(latest["nan"].Value));
        Assert.Equal(double.PositiveInfinity, latest["pos"].Value);
        Assert.Equal(double.NegativeInfinity, latest["neg"].Value);
        foreach (var point in points)
        {
            Assert.Equal([point], (await Store.GetMetricHistoryAsync(info.RunId, point.Key, 0, 10, Ct)).Items);
        }
    }

    [Fact]
    public async Task Keeps_a_nan_point_and_a_zero_point_logged_at_the_same_step_and_time()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, new Metric("m", double.NaN, T0, 0), new Metric("m", 0, T0, 0)), Ct);

        var history = (await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 10, Ct)).Items;
        Assert.Equal(2, history.Count);
        Assert.Single(history, p => double.IsNaN(p.Value));
        Assert.Single(history, p => p.Value == 0);
    }

    [Fact]
    public async Task Latest_metric_follows_the_highest_step_then_timestamp()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        async Task<Metric> LogThenLatestAsync(Metric point)
        {
            await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, point), Ct);
            return Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.LatestMetrics);
        }

        Assert.Equal(new Metric("m", 1, T0 + 100, 5), await LogThenLatestAsync(new Metric("m", 1, T0 + 100, 5)));
        // An older step logged later (with a newer timestamp) does not win.
        Assert.Equal(new Metric("m", 1, T0 + 100, 5), await LogThenLatestAsync(new Metric("m", 2, T0 + 200, 3)));
        // The same step with an older timestamp does not win either.
        Assert.Equal(new Metric("m", 1, T0 + 100, 5), await LogThenLatestAsync(new Metric("m", 3, T0 + 50, 5)));
        // The same step with a newer timestamp wins.
        Assert.Equal(new Metric("m", 4, T0 + 150, 5), await LogThenLatestAsync(new Metric("m", 4, T0 + 150, 5)));
        // Same step and timestamp: the higher value wins.
        Assert.Equal(new Metric("m", 4, T0 + 150, 5), await LogThenLatestAsync(new Metric("m", 3.5, T0 + 150, 5)));
        Assert.Equal(new Metric("m", 4.5, T0 + 150, 5), await LogThenLatestAsync(new Metric("m", 4.5, T0 + 150, 5)));
        // A higher step wins even with an older timestamp.
        Assert.Equal(new Metric("m", -1, T0, 6), await LogThenLatestAsync(new Metric("m", -1, T0, 6)));
    }

    [Fact]
    public async Task Latest_metric_within_one_batch_does_not_depend_on_the_order_of_points()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId,
            new Metric("m", 10, T0 + 1, 10), new Metric("m", 9, T0 + 2, 9), new Metric("m", 11, T0, 10), new Metric("m", 0, T0 + 9, 1)), Ct);

        Assert.Equal(new Metric("m", 10, T0 + 1, 10), Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.LatestMetrics));
    }

    [Fact]
    public async Task Returns_the_metric_history_ordered_by_step_timestamp_and_value()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        Metric[] expected = [new("m", 5, T0 + 9, -3), new("m", 1, T0, 0), new("m", 2, T0, 0), new("m", 0, T0 + 1, 0), new("m", 7, T0, 1), new("m", 3, T0 - 5, 2)];

        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, [.. expected.Reverse()]), Ct);
        await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, new Metric("other", 1, T0, 0)), Ct);

        var page = await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct);
        Assert.Equal(expected, page.Items);
        Assert.False(page.HasMore);
    }

    [Fact]
    public async Task Returns_an_empty_history_for_an_unknown_key_or_run()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        var unknownKey = await Store.GetMetricHistoryAsync(info.RunId, "missing", 0, 100, Ct);
        var unknownRun = await Store.GetMetricHistoryAsync("0000000000000000000000000000dead", "m", 0, 100, Ct);

        Assert.Empty(unknownKey.Items);
        Assert.False(unknownKey.HasMore);
        Assert.Empty(unknownRun.Items);
    }

    [Fact]
    public async Task Round_trips_ten_thousand_points_in_order_with_paging()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var random = new Random(42);
        var expected = Enumerable.Range(0, 10_000).Select(i => new Metric("loss", 1.0 / (i + 1), T0 + (i * 7 % 13), i)).ToArray();
        var shuffled = expected.OrderBy(_ => random.Next()).ToArray();
        foreach (var chunk in shuffled.Chunk(TrackingLimits.MaxMetricsPerBatch))
        {
            await Store.LogBatchAsync(LogBatch.OfMetrics(info.RunId, chunk), Ct);
        }

        var all = await Store.GetMetricHistoryAsync(info.RunId, "loss", 0, TrackingLimits.MaxMetricHistoryPage, Ct);
        Assert.False(all.HasMore);
        Assert.Equal(expected, all.Items);

        var paged = new List<Metric>();
        var hasMore = new List<bool>();
        for (long offset = 0; ; offset += 3_000)
        {
            var page = await Store.GetMetricHistoryAsync(info.RunId, "loss", offset, 3_000, Ct);
            paged.AddRange(page.Items);
            hasMore.Add(page.HasMore);
            if (!page.HasMore)
            {
                break;
            }
        }

        Assert.Equal(expected, paged);
        Assert.Equal([true, true, true, false], hasMore);
        var exact = await Store.GetMetricHistoryAsync(info.RunId, "loss", 5_000, 5_000, Ct);
        Assert.Equal(5_000, exact.Items.Count);
        Assert.False(exact.HasMore);
        var last = await Store.GetMetricHistoryAsync(info.RunId, "loss", 9_999, 10, Ct);
        Assert.Equal([expected[^1]], last.Items);
        Assert.Empty((await Store.GetMetricHistoryAsync(info.RunId, "loss", 10_000, 10, Ct)).Items);
        Assert.Equal(expected[^1], Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.LatestMetrics));
    }

    [Fact]
    public async Task Concurrent_batches_to_different_runs_all_land()
    {
        const int writers = 8;
        const int batches = 10;
        const int pointsPerBatch = 200;
        var experimentId = await NewExperimentAsync();
        var runs = new List<RunInfo>();
        for (var i = 0; i < writers; i++)
        {
            runs.Add(await NewRunAsync(experimentId));
        }

        await Task.WhenAll(runs.Select((run, writer) => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var points = Enumerable.Range(0, pointsPerBatch).Select(i => new Metric("m", writer, T0 + i, (b * pointsPerBatch) + i)).ToArray();
                await Store.LogBatchAsync(new LogBatch(run.RunId, points, [new Param($"p{b}", "v")], [new Tag("writer", $"{writer}")]), Ct);
            }
        })));

        for (var writer = 0; writer < writers; writer++)
        {
            var history = await Store.GetMetricHistoryAsync(runs[writer].RunId, "m", 0, TrackingLimits.MaxMetricHistoryPage, Ct);
            Assert.Equal(batches * pointsPerBatch, history.Items.Count);
            Assert.All(history.Items, p => Assert.Equal(writer, p.Value));
            var run = await Store.GetRunAsync(runs[writer].RunId, Ct);
            Assert.Equal(batches, run!.Params.Count);
            Assert.Equal($"{writer}", TagValue(run, "writer"));
        }
    }

    [Fact]
    public async Task Concurrent_conflicting_params_let_exactly_one_value_win()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.LogBatchAsync(new LogBatch(info.RunId, [new("m", i, T0, i)], [new("p", $"v{i}")], []), Ct);
                return (Value: $"v{i}", Error: (ErrorKind?)null);
            }
            catch (MlopsException e)
            {
                return (Value: $"v{i}", Error: (ErrorKind?)e.Kind);
            }
        })));

        var winner = Assert.Single(outcomes, o => o.Error is null);
        Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Equal(ErrorKind.InvalidArgument, o.Error));
        var run = await Store.GetRunAsync(info.RunId, Ct);
        Assert.Equal([new Param("p", winner.Value)], run!.Params);
        Assert.Single((await Store.GetMetricHistoryAsync(info.RunId, "m", 0, 100, Ct)).Items);
    }

    // ---------------------------------------------------------------- inputs

    [Fact]
    public async Task Logs_dataset_inputs_with_their_tags()
    {
        var info = await NewRunAsync(await NewExperimentAsync());
        var input = new DatasetInput(
            new Dataset("mnist", "d1", "local", "{\"uri\":\"/data/mnist\"}", "{\"cols\":[]}", "{\"rows\":10}"),
            [new(SystemTags.DatasetContext, "train")]);

        await Store.LogInputsAsync(info.RunId, [input], Ct);

        var logged = Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.Inputs);
        Assert.Equal(input.Dataset, logged.Dataset);
        Assert.Equal(input.Tags, logged.Tags);
    }

    [Fact]
    public async Task Keeps_a_null_schema_and_profile()
    {
        var info = await NewRunAsync(await NewExperimentAsync());

        await Store.LogInputsAsync(info.RunId, [new DatasetInput(new Dataset("d", "1", "local", "src", null, null), [])], Ct);

        var logged = Assert.Single((await Store.GetRunAsync(info.RunId, Ct))!.Inputs);
        Assert.Null(logged.Dataset.Schema);
        Assert.Null(logged.Dataset.Profile);
        Assert.Empty(logged.Tags);
    }

    [Fact]
    public async Task Stores_a_dataset_once_per_experiment_name_and_digest()
    {
        var experimentId = await NewExperimentAsync();
        var first = await NewRunAsync(experimentId);
        var second = await NewRunAsync(experimentId);
        var original = new Dataset("mnist", "d1", "local", "original-source", null, null);

        await Store.LogInputsAsync(first.RunId, [new DatasetInput(original, [new(SystemTags.DatasetContext, "train")])], Ct);
        await Store.LogInputsAsync(first.RunId, [new DatasetInput(original, [new(SystemTags.DatasetContext, "train")])], Ct);
        await Store.LogInputsAsync(second.RunId, [new DatasetInput(original with { Source = "other-source" }, [new(SystemTags.DatasetContext, "eval")])], Ct);

        var firstInput = Assert.Single((await Store.GetRunAsync(first.RunId, Ct))!.Inputs);
        var secondInput = Assert.Single((await Store.GetRunAsync(second.RunId, Ct))!.Inputs);
        Assert.Equal(original, firstInput.Dataset);
        Assert.Equal(original, secondInput.Dataset);
        Assert.Equal([new Tag(SystemTags.DatasetContext, "train")], firstInput.Tags);
        Assert.Equal([new Tag(SystemTags.DatasetContext, "eval")], secondInput.Tags);
    }

    [Fact]
    public async Task Keeps_datasets_with_another_digest_or_in_another_experiment_apart()
    {
        var run = await NewRunAsync(await NewExperimentAsync());
        var elsewhere = await NewRunAsync(await NewExperimentAsync());
        var v1 = new Dataset("mnist", "d1", "local", "v1", null, null);
        var v2 = v1 with { Digest = "d2", Source = "v2" };

        await Store.LogInputsAsync(run.RunId, [new DatasetInput(v1, []), new DatasetInput(v2, [])], Ct);
        await Store.LogInputsAsync(elsewhere.RunId, [new DatasetInput(v1 with { Source = "elsewhere" }, [])], Ct);

        Assert.Equal(["v1", "v2"], (await Store.GetRunAsync(run.RunId, Ct))!.Inputs.Select(i => i.Dataset.Source).Order(StringComparer.Ordinal));
        Assert.Equal("elsewhere", Assert.Single((await Store.GetRunAsync(elsewhere.RunId, Ct))!.Inputs).Dataset.Source);
    }

    // ---------------------------------------------------------------- search runs

    [Theory]
    [InlineData("", "r1 r2 r3 r4")]
    [InlineData("metrics.acc > 0.9", "r1")]
    [InlineData("metrics.acc >= 0.8", "r1 r2")]
    [InlineData("metrics.acc < 0.9 and metrics.acc != 0.7", "r2")]
    [InlineData("metrics.acc = 0.7", "r3")]
    [InlineData("metrics.acc <= 0.7", "r3")]
    [InlineData("metrics.`acc` > 0.9", "r1")]
    [InlineData("metrics.loss IS NULL", "r2 r3 r4")]
    [InlineData("metrics.acc IS NOT NULL", "r1 r2 r3")]
    [InlineData("params.opt = 'adam'", "r1 r3")]
    [InlineData("params.opt != 'adam'", "r2 r4")]
    [InlineData("params.lr IS NULL", "r3 r4")]
    [InlineData("params.lr IS NOT NULL", "r1 r2")]
    [InlineData("params.opt IN ('sgd', 'rmsprop')", "r2 r4")]
    [InlineData("params.opt NOT IN ('adam')", "r2 r4")]
    [InlineData("params.opt IN ('nothing')", "")]
    [InlineData("params.lr = '0.01'", "r1")]
    [InlineData("params.opt = 'ADAM'", "")]
    [InlineData("tags.team = 'vision'", "")]
    [InlineData("attributes.run_name IN ('r1', 'r4', 'r9')", "r1 r4")]
    [InlineData("dataset.name IS NOT NULL", "r1 r2 r3")]
    [InlineData("tags.team = 'nlp'", "r4")]
    [InlineData("tags.\"team\" = 'nlp'", "r4")]
    [InlineData("tags.team LIKE 'vision%'", "r1")]
    [InlineData("tags.team LIKE 'Vision'", "r2")]
    [InlineData("tags.team LIKE '_ision'", "r2")]
    [InlineData("tags.team LIKE '%core'", "r1")]
    [InlineData("tags.team ILIKE 'vision%'", "r1 r2 r3")]
    [InlineData("tags.team ILIKE 'VISION'", "r2 r3")]
    [InlineData("tags.team NOT LIKE 'vision%'", "r2 r3 r4")]
    [InlineData("tags.team NOT ILIKE 'vision%'", "r4")]
    [InlineData("tags.owner = 'bob'", "r3")]
    [InlineData("tags.owner IS NULL", "r1 r2 r4")]
    [InlineData("tags.\"mlflow.runName\" = 'r2'", "r2")]
    [InlineData("attributes.status = 'FINISHED'", "r1")]
    [InlineData("attributes.status IN ('FINISHED', 'FAILED')", "r1 r2")]
    [InlineData("status != 'RUNNING'", "r1 r2")]
    [InlineData("attributes.run_name = 'r2'", "r2")]
    [InlineData("attributes.run_name LIKE 'r%' and attributes.run_name != 'r1'", "r2 r3 r4")]
    [InlineData("attributes.user_id = 'bob'", "r4")]
    [InlineData("attributes.start_time > 1700000000002", "r3 r4")]
    [InlineData("attributes.start_time >= 1700000000002 and attributes.start_time < 1700000000004", "r2 r3")]
    [InlineData("attributes.end_time IS NULL", "r3 r4")]
    [InlineData("attributes.end_time IS NOT NULL", "r1 r2")]
    [InlineData("attributes.end_time <= 1700000000100", "r1")]
    [InlineData("attributes.lifecycle_stage = 'active'", "r1 r2 r3 r4")]
    [InlineData("attributes.artifact_uri LIKE 'mlflow-artifacts:/%'", "r1 r2 r3 r4")]
    [InlineData("dataset.name = 'mnist'", "r1 r2")]
    [InlineData("dataset.digest = 'd2'", "r3")]
    [InlineData("dataset.context = 'train'", "r1 r3")]
    [InlineData("dataset.name = 'mnist' and dataset.context = 'eval'", "r2")]
    [InlineData("dataset.name IN ('cifar', 'imagenet')", "r3")]
    [InlineData("dataset.name LIKE 'MN%'", "")]
    [InlineData("dataset.name ILIKE 'MN%'", "r1 r2")]
    [InlineData("metrics.acc > 0.9 or params.opt = 'sgd'", "r1 r2")]
    [InlineData("metrics.acc > 0.9 or params.opt = 'sgd' and tags.team = 'nlp'", "r1")]
    [InlineData("(metrics.acc > 0.9 or params.opt = 'sgd') and tags.team ILIKE 'VISION'", "r2")]
    [InlineData("(params.opt = 'adam' and (tags.owner = 'bob' or metrics.acc > 0.9)) or tags.team = 'nlp'", "r1 r3 r4")]
    [InlineData("metrics.acc > 0.9 and metrics.acc < 0.9", "")]
    public async Task Filters_runs(string filter, string expected)
    {
        var experimentId = await SeedFourRunsAsync();

        var names = await SearchRunNamesAsync([experimentId], filter);

        Assert.Equal(Names(expected), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Filters_runs_by_id()
    {
        var experimentId = await NewExperimentAsync();
        var first = await NewRunAsync(experimentId, "first");
        var second = await NewRunAsync(experimentId, "second");
        await NewRunAsync(experimentId, "third");

        Assert.Equal(["first"], await SearchRunNamesAsync([experimentId], $"attributes.run_id = '{first.RunId}'"));
        Assert.Equal(["first", "second"], (await SearchRunNamesAsync([experimentId], $"run_id IN ('{first.RunId}', '{second.RunId}')")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Filters_on_the_latest_metric_value()
    {
        var experimentId = await NewExperimentAsync();
        var improving = await NewRunAsync(experimentId, "improving");
        var regressing = await NewRunAsync(experimentId, "regressing");
        await Store.LogBatchAsync(LogBatch.OfMetrics(improving.RunId, new Metric("acc", 0.5, T0, 0), new Metric("acc", 0.95, T0, 1)), Ct);
        await Store.LogBatchAsync(LogBatch.OfMetrics(regressing.RunId, new Metric("acc", 0.95, T0, 0), new Metric("acc", 0.5, T0, 1)), Ct);

        Assert.Equal(["improving"], await SearchRunNamesAsync([experimentId], "metrics.acc > 0.9"));
    }

    [Fact]
    public async Task Treats_like_wildcards_only_as_percent_and_underscore()
    {
        var experimentId = await NewExperimentAsync();
        foreach (var value in new[] { "a*c", "abc", "a?c", "x[1]", "x1", "50%", "50x" })
        {
            await NewRunAsync(experimentId, value, tags: [new("v", value)]);
        }

        Assert.Equal(["a*c"], await SearchRunNamesAsync([experimentId], "tags.v LIKE 'a*c'"));
        Assert.Equal(["a?c"], await SearchRunNamesAsync([experimentId], "tags.v LIKE 'a?c'"));
        Assert.Equal(["x[1]"], await SearchRunNamesAsync([experimentId], "tags.v LIKE 'x[1]'"));
        Assert.Equal(["a*c", "a?c", "abc"], (await SearchRunNamesAsync([experimentId], "tags.v LIKE 'a_c'")).Order(StringComparer.Ordinal));
        Assert.Equal(["50%", "50x"], (await SearchRunNamesAsync([experimentId], "tags.v LIKE '50%'")).Order(StringComparer.Ordinal));
        Assert.Equal(["a*c"], await SearchRunNamesAsync([experimentId], "tags.v ILIKE 'A*C'"));
    }

    [Fact]
    public async Task Filters_on_the_experiment_id_attribute()
    {
        var first = await NewExperimentAsync();
        var second = await NewExperimentAsync();
        await NewRunAsync(first, "in-first");
        await NewRunAsync(second, "in-second");

        Assert.Equal(["in-second"], await SearchRunNamesAsync([first, second], $"attributes.experiment_id = '{second}'"));
        Assert.Equal(["in-first"], await SearchRunNamesAsync([first, second], $"attributes.experiment_id IN ('{first}')"));
        Assert.Equal(["in-first"], await SearchRunNamesAsync([first, second], $"attributes.experiment_id != '{second}'"));
    }

    [Fact]
    public async Task Searches_only_the_given_experiments()
    {
        var first = await NewExperimentAsync();
        var second = await NewExperimentAsync();
        var third = await NewExperimentAsync();
        await NewRunAsync(first, "a", T0 + 1);
        await NewRunAsync(second, "b", T0 + 2);
        await NewRunAsync(third, "c", T0 + 3);

        Assert.Equal(["b", "a"], await SearchRunNamesAsync([first, second], null));
        Assert.Equal(["c"], await SearchRunNamesAsync([third], null));
        Assert.Empty(await SearchRunNamesAsync(["987654321"], null));
    }

    [Fact]
    public async Task Returns_run_data_from_a_search()
    {
        var experimentId = await SeedFourRunsAsync();

        var run = Assert.Single((await Store.SearchRunsAsync(Query([experimentId], "attributes.run_name = 'r1'"), Ct)).Items);

        Assert.Equal([new Metric("acc", 0.95, T0 + 1, 2), new Metric("loss", 0.1, T0 + 1, 2)], run.LatestMetrics.OrderBy(m => m.Key, StringComparer.Ordinal));
        Assert.Equal([new Param("lr", "0.01"), new Param("opt", "adam")], run.Params.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal("vision-core", TagValue(run, "team"));
        Assert.Equal("mnist", Assert.Single(run.Inputs).Dataset.Name);
        Assert.Equal(RunStatus.Finished, run.Info.Status);
    }

    [Theory]
    [InlineData(new string[0], "r4 r3 r2 r1")]
    [InlineData(new[] { "metrics.acc DESC" }, "r1 r2 r3 r4")]
    [InlineData(new[] { "metrics.acc ASC" }, "r3 r2 r1 r4")]
    [InlineData(new[] { "metrics.acc" }, "r3 r2 r1 r4")]
    [InlineData(new[] { "params.opt" }, "r3 r1 r4 r2")]
    [InlineData(new[] { "params.opt DESC" }, "r2 r4 r3 r1")]
    [InlineData(new[] { "params.lr ASC" }, "r1 r2 r4 r3")]
    [InlineData(new[] { "params.lr DESC" }, "r2 r1 r4 r3")]
    [InlineData(new[] { "params.opt", "metrics.acc DESC" }, "r1 r3 r4 r2")]
    [InlineData(new[] { "tags.\"mlflow.runName\" ASC" }, "r1 r2 r3 r4")]
    [InlineData(new[] { "tags.owner DESC" }, "r3 r4 r2 r1")]
    [InlineData(new[] { "attributes.start_time ASC" }, "r1 r2 r3 r4")]
    [InlineData(new[] { "start_time DESC" }, "r4 r3 r2 r1")]
    [InlineData(new[] { "attributes.run_name DESC" }, "r4 r3 r2 r1")]
    [InlineData(new[] { "attributes.end_time DESC" }, "r2 r1 r4 r3")]
    [InlineData(new[] { "attributes.status" }, "r2 r1 r4 r3")]
    public async Task Orders_runs(string[] orderBy, string expected)
    {
        var experimentId = await SeedFourRunsAsync();

        Assert.Equal(Names(expected), await SearchRunNamesAsync([experimentId], null, orderBy));
    }

    [Fact]
    public async Task Breaks_ties_by_the_newest_start_time()
    {
        var experimentId = await NewExperimentAsync();
        foreach (var (name, start, value) in new[] { ("old", T0, 1.0), ("new", T0 + 10, 1.0), ("mid", T0 + 5, 1.0), ("best", T0, 2.0), ("none", T0 + 20, double.NaN) })
        {
            var run = await NewRunAsync(experimentId, name, start);
            if (!double.IsNaN(value))
            {
                await Store.LogBatchAsync(LogBatch.OfMetrics(run.RunId, new Metric("m", value, T0, 0)), Ct);
            }
        }

        Assert.Equal(["best", "new", "mid", "old", "none"], await SearchRunNamesAsync([experimentId], null, ["metrics.m DESC"]));
        Assert.Equal(["new", "mid", "old", "best", "none"], await SearchRunNamesAsync([experimentId], null, ["metrics.m ASC"]));
    }

    [Fact]
    public async Task Searches_runs_by_view_type()
    {
        var experimentId = await NewExperimentAsync();
        await NewRunAsync(experimentId, "active");
        var deleted = await NewRunAsync(experimentId, "deleted");
        await Store.SetRunLifecycleAsync(deleted.RunId, LifecycleStage.Deleted, T0 + 1, Ct);

        Assert.Equal(["active"], await SearchRunNamesAsync([experimentId], null, viewType: ViewType.ActiveOnly));
        Assert.Equal(["deleted"], await SearchRunNamesAsync([experimentId], null, viewType: ViewType.DeletedOnly));
        Assert.Equal(["active", "deleted"], (await SearchRunNamesAsync([experimentId], null, viewType: ViewType.All)).Order(StringComparer.Ordinal));
        Assert.Equal(["deleted"], await SearchRunNamesAsync([experimentId], "attributes.lifecycle_stage = 'deleted'", viewType: ViewType.All));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("metrics.m DESC")]
    [InlineData("params.p")]
    public async Task Pages_through_all_runs_without_duplicates_or_gaps(string? orderBy)
    {
        var experimentId = await NewExperimentAsync();
        var expected = new HashSet<string>();
        for (var i = 0; i < 23; i++)
        {
            // Few distinct start times, metric values and params: most of the order comes from tie-breaks.
            var run = await NewRunAsync(experimentId, $"run-{i:D2}", T0 + (i % 3));
            expected.Add(run.RunId);
            if (i % 4 != 0)
            {
                await Store.LogBatchAsync(new LogBatch(run.RunId, [new("m", i % 2, T0, 0)], [new("p", $"{i % 3}")], []), Ct);
            }
        }

        string[] order = orderBy is null ? [] : [orderBy];
        var whole = await Store.SearchRunsAsync(Query([experimentId], null, order, maxResults: 1000), Ct);
        Assert.False(whole.HasMore);
        var seen = new List<string>();
        var pages = 0;
        for (long offset = 0; ; offset += 5)
        {
            var page = await Store.SearchRunsAsync(Query([experimentId], null, order, maxResults: 5, offset: offset), Ct);
            pages++;
            seen.AddRange(page.Items.Select(r => r.Info.RunId));
            if (!page.HasMore)
            {
                break;
            }

            Assert.Equal(5, page.Items.Count);
        }

        Assert.Equal(5, pages);
        Assert.Equal(whole.Items.Select(r => r.Info.RunId), seen);
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reports_no_more_runs_when_the_page_is_exactly_full()
    {
        var experimentId = await NewExperimentAsync();
        for (var i = 0; i < 4; i++)
        {
            await NewRunAsync(experimentId, $"r{i}", T0 + i);
        }

        var full = await Store.SearchRunsAsync(Query([experimentId], null, maxResults: 4), Ct);
        var partial = await Store.SearchRunsAsync(Query([experimentId], null, maxResults: 3), Ct);

        Assert.Equal(4, full.Items.Count);
        Assert.False(full.HasMore);
        Assert.Equal(3, partial.Items.Count);
        Assert.True(partial.HasMore);
    }

    // ---------------------------------------------------------------- helpers

    protected static RunQuery Query(
        IReadOnlyList<string> experimentIds,
        string? filter,
        IEnumerable<string>? orderBy = null,
        ViewType viewType = ViewType.ActiveOnly,
        int maxResults = 1000,
        long offset = 0) =>
        new(experimentIds, SearchFilterParser.Parse(filter, SearchTarget.Runs), OrderByParser.Parse(orderBy, SearchTarget.Runs), viewType, maxResults, offset);

    protected async Task<string> NewExperimentAsync() =>
        await Store.CreateExperimentAsync(_prefix + Guid.NewGuid().ToString("N")[..8], null, [], T0, Ct);

    /// <summary>Creates a run the way CreateRunUseCase does: a random id and the run name repeated as the mlflow.runName tag.</summary>
    protected async Task<RunInfo> NewRunAsync(string experimentId, string? name = null, long startTime = T0, IReadOnlyList<Tag>? tags = null, string userId = "alice")
    {
        var experiment = await Store.GetExperimentAsync(experimentId, Ct) ?? throw new InvalidOperationException($"No experiment {experimentId}.");
        var runId = Guid.NewGuid().ToString("N");
        var runName = name ?? "run-" + runId[..8];
        var info = new RunInfo(runId, experimentId, runName, userId, RunStatus.Running, startTime, null,
            ArtifactUri.ForRun(experiment.ArtifactLocation, runId), LifecycleStage.Active);
        await Store.CreateRunAsync(info, [.. tags ?? [], new Tag(SystemTags.RunName, runName)], Ct);
        return info;
    }

    /// <summary>
    /// Four runs with different metrics, params, tags, attributes and datasets (see <see cref="Filters_runs"/>):
    /// r1 acc .95, loss .1, adam, lr .01, vision-core, FINISHED; r2 acc .8, sgd, lr .1, Vision, FAILED;
    /// r3 acc .7, adam, VISION, owner bob, RUNNING; r4 no metrics, rmsprop, nlp, user bob, RUNNING.
    /// </summary>
    private async Task<string> SeedFourRunsAsync()
    {
        var experimentId = await NewExperimentAsync();
        var r1 = await NewRunAsync(experimentId, "r1", T0 + 1, [new("team", "vision-core")]);
        var r2 = await NewRunAsync(experimentId, "r2", T0 + 2, [new("team", "Vision")]);
        var r3 = await NewRunAsync(experimentId, "r3", T0 + 3, [new("team", "VISION"), new("owner", "bob")]);
        var r4 = await NewRunAsync(experimentId, "r4", T0 + 4, [new("team", "nlp")], userId: "bob");

        await Store.LogBatchAsync(new LogBatch(r1.RunId, [new("acc", 0.5, T0, 1), new("acc", 0.95, T0 + 1, 2), new("loss", 0.1, T0 + 1, 2)], [new("opt", "adam"), new("lr", "0.01")], []), Ct);
        await Store.LogBatchAsync(new LogBatch(r2.RunId, [new("acc", 0.8, T0, 0)], [new("opt", "sgd"), new("lr", "0.1")], []), Ct);
        await Store.LogBatchAsync(new LogBatch(r3.RunId, [new("acc", 0.7, T0, 0)], [new("opt", "adam")], []), Ct);
        await Store.LogBatchAsync(LogBatch.OfParams(r4.RunId, new Param("opt", "rmsprop")), Ct);

        await Store.UpdateRunAsync(r1.RunId, RunStatus.Finished, T0 + 100, null, Ct);
        await Store.UpdateRunAsync(r2.RunId, RunStatus.Failed, T0 + 200, null, Ct);

        await Store.LogInputsAsync(r1.RunId, [Input("mnist", "d1", "train")], Ct);
        await Store.LogInputsAsync(r2.RunId, [Input("mnist", "d1", "eval")], Ct);
        await Store.LogInputsAsync(r3.RunId, [Input("cifar", "d2", "train")], Ct);
        return experimentId;
    }

    private async Task<List<string>> SearchRunNamesAsync(
        IReadOnlyList<string> experimentIds,
        string? filter,
        IEnumerable<string>? orderBy = null,
        ViewType viewType = ViewType.ActiveOnly)
    {
        var page = await Store.SearchRunsAsync(Query(experimentIds, filter, orderBy, viewType), Ct);
        Assert.False(page.HasMore);
        return page.Items.Select(r => r.Info.RunName).ToList();
    }

    private async Task<List<string>> SearchExperimentNamesAsync(string? filter, IEnumerable<string> orderBy, ViewType viewType = ViewType.ActiveOnly)
    {
        var prefixFilter = $"name LIKE '{_prefix}%'" + (filter is null ? "" : $" AND ({filter})");
        var page = await Store.SearchExperimentsAsync(
            new ExperimentQuery(SearchFilterParser.Parse(prefixFilter, SearchTarget.Experiments), OrderByParser.Parse(orderBy, SearchTarget.Experiments), viewType, 1000, 0), Ct);
        Assert.False(page.HasMore);
        return page.Items.Select(e => e.Name[_prefix.Length..]).ToList();
    }

    protected static DatasetInput Input(string name, string digest, string? context = null) => new(
        new Dataset(name, digest, "local", $"/data/{name}", null, null),
        context is null ? [] : [new Tag(SystemTags.DatasetContext, context)]);

    private static string[] Names(string expected) => expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static List<Tag> Sorted(IEnumerable<Tag> tags) => tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();

    private static string? TagValue(Run run, string key) => run.Tags.Where(t => t.Key == key).Select(t => t.Value).SingleOrDefault();

    private static async Task<MlopsException> AssertKind(ErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }
}
