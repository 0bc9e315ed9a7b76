using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Registry;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>
/// What every <see cref="IModelRegistryStore"/> adapter must do, written once and run against each adapter.
/// A subclass supplies a store over a database of its own and cleans it up (usually in Dispose). Tests only
/// use the port; every model name starts with a per-test prefix and searches filter by it, so the suite also
/// holds on a database shared by earlier tests.
/// </summary>
public abstract class RegistryStoreContract
{
    protected const long T0 = 1_700_000_000_000;

    private IModelRegistryStore? _store;

    private readonly string _prefix = "model-" + Guid.NewGuid().ToString("N")[..12] + "-";

    /// <summary>Creates the store under test. Called at most once per test, on first use.</summary>
    protected abstract IModelRegistryStore CreateStore();

    protected IModelRegistryStore Store => _store ??= CreateStore();

    protected static CancellationToken Ct => CancellationToken.None;

    // ---------------------------------------------------------------- registered models

    [Fact]
    public async Task Creates_a_model_and_gets_it_by_name()
    {
        var name = Name("churn");
        Tag[] tags = [new("team", "ds"), new("owner", "alice")];

        var created = await Store.CreateModelAsync(name, "predicts churn", tags, T0, Ct);
        var read = await Store.GetModelAsync(name, Ct);

        foreach (var model in new[] { created, read! })
        {
            Assert.NotNull(model);
            Assert.Equal(name, model.Name);
            Assert.Equal(T0, model.CreationTime);
            Assert.Equal(T0, model.LastUpdatedTime);
            Assert.Equal("predicts churn", model.Description);
            Assert.Equal([new Tag("owner", "alice"), new Tag("team", "ds")], Sorted(model.Tags));
            Assert.Empty(model.Aliases);
            Assert.Empty(model.LatestVersions);
        }
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_model()
    {
        Assert.Null(await Store.GetModelAsync(Name("missing"), Ct));
    }

    [Fact]
    public async Task Rejects_a_taken_model_name_with_already_exists()
    {
        var name = Name("taken");
        await Store.CreateModelAsync(name, "first", [], T0, Ct);

        var error = await AssertKind(ErrorKind.AlreadyExists, () => Store.CreateModelAsync(name, "second", [new("t", "v")], T0 + 1, Ct));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        var model = (await Store.GetModelAsync(name, Ct))!;
        Assert.Equal("first", model.Description);
        Assert.Empty(model.Tags);
        Assert.Equal(T0, model.CreationTime);
    }

    [Fact]
    public async Task Renames_a_model_and_its_versions_tags_and_aliases_follow()
    {
        var name = Name("old");
        var newName = Name("new");
        await Store.CreateModelAsync(name, "d", [new("team", "cv")], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name, tags: [new("k", "v")]);
        await Store.SetAliasAsync(name, "champion", 2, T0 + 3, Ct);
        await Store.TransitionStageAsync(name, 1, ModelStage.Production, false, T0 + 4, Ct);

        var renamed = await Store.RenameModelAsync(name, newName, T0 + 10, Ct);

        Assert.Null(await Store.GetModelAsync(name, Ct));
        Assert.Null(await Store.GetVersionAsync(name, 1, Ct));
        Assert.Equal(newName, renamed.Name);
        Assert.Equal(T0, renamed.CreationTime);
        Assert.Equal(T0 + 10, renamed.LastUpdatedTime);
        Assert.Equal(renamed, await Store.GetModelAsync(newName, Ct), s_modelComparer);
        Assert.Equal([new Tag("team", "cv")], renamed.Tags);
        Assert.Equal([new ModelAlias("champion", 2)], renamed.Aliases);
        Assert.Equal([(newName, 1L, ModelStage.Production), (newName, 2L, ModelStage.None)],
            renamed.LatestVersions.OrderBy(v => v.Version).Select(v => (v.Name, v.Version, v.CurrentStage)));
        var second = (await Store.GetVersionAsync(newName, 2, Ct))!;
        Assert.Equal(newName, second.Name);
        Assert.Equal([new Tag("k", "v")], second.Tags);
        Assert.Equal(["champion"], second.Aliases);
        Assert.Equal(2, (await Store.GetVersionByAliasAsync(newName, "champion", Ct))!.Version);
        Assert.Null(await Store.GetVersionByAliasAsync(name, "champion", Ct));
        Assert.Equal(3, (await NewVersionAsync(newName)).Version);
    }

    [Fact]
    public async Task Rejects_renaming_to_a_taken_name_with_already_exists()
    {
        var first = Name("first");
        var second = Name("second");
        await Store.CreateModelAsync(first, "one", [], T0, Ct);
        await Store.CreateModelAsync(second, "two", [], T0, Ct);
        await NewVersionAsync(first);

        await AssertKind(ErrorKind.AlreadyExists, () => Store.RenameModelAsync(first, second, T0 + 1, Ct));

        Assert.Equal("one", (await Store.GetModelAsync(first, Ct))!.Description);
        Assert.Equal("two", (await Store.GetModelAsync(second, Ct))!.Description);
        Assert.NotNull(await Store.GetVersionAsync(first, 1, Ct));
        Assert.Null(await Store.GetVersionAsync(second, 1, Ct));
    }

    [Fact]
    public async Task Rejects_renaming_an_unknown_model_with_not_found()
    {
        await AssertKind(ErrorKind.NotFound, () => Store.RenameModelAsync(Name("missing"), Name("other"), T0, Ct));

        Assert.Null(await Store.GetModelAsync(Name("other"), Ct));
    }

    [Fact]
    public async Task Updates_a_model_description_and_its_last_updated_time()
    {
        var name = Name("described");
        await Store.CreateModelAsync(name, "before", [], T0, Ct);

        var updated = await Store.UpdateModelAsync(name, "after", T0 + 5, Ct);

        Assert.Equal("after", updated.Description);
        Assert.Equal(T0, updated.CreationTime);
        Assert.Equal(T0 + 5, updated.LastUpdatedTime);
        Assert.Equal(updated, await Store.GetModelAsync(name, Ct), s_modelComparer);
    }

    [Fact]
    public async Task Rejects_updating_an_unknown_model_with_not_found()
    {
        await AssertKind(ErrorKind.NotFound, () => Store.UpdateModelAsync(Name("missing"), "d", T0, Ct));
    }

    [Fact]
    public async Task Deletes_a_model_with_its_versions_and_records_the_deletion()
    {
        var name = Name("doomed");
        var other = Name("kept");
        await Store.CreateModelAsync(name, "", [new("k", "v")], T0, Ct);
        await Store.CreateModelAsync(other, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await NewVersionAsync(other);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        await Store.DeleteModelAsync(name, T0 + 50, "requested by alice", Ct);

        Assert.Null(await Store.GetModelAsync(name, Ct));
        Assert.Null(await Store.GetVersionAsync(name, 1, Ct));
        Assert.Null(await Store.GetVersionAsync(name, 2, Ct));
        Assert.Null(await Store.GetVersionByAliasAsync(name, "champion", Ct));
        Assert.Empty((await Store.SearchVersionsAsync(VersionQuery($"name = '{name}'"), Ct)).Items);
        Assert.Empty((await Store.SearchModelsAsync(ModelQuery($"name = '{name}'"), Ct)).Items);
        Assert.NotNull(await Store.GetVersionAsync(other, 1, Ct));
        var entry = Assert.Single(await Store.GetAuditAsync(name, Ct));
        Assert.Equal(T0 + 50, entry.Time);
        Assert.Equal(name, entry.Name);
        Assert.Null(entry.Version);
        Assert.Contains("delete", entry.Action, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("requested by alice", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("2 version", entry.Detail, StringComparison.Ordinal);
        Assert.Empty(await Store.GetAuditAsync(other, Ct));
    }

    [Fact]
    public async Task Rejects_deleting_an_unknown_model_with_not_found()
    {
        var name = Name("missing");

        await AssertKind(ErrorKind.NotFound, () => Store.DeleteModelAsync(name, T0, "", Ct));

        Assert.Empty(await Store.GetAuditAsync(name, Ct));
    }

    [Fact]
    public async Task Starts_again_at_version_1_when_a_deleted_model_name_is_reused()
    {
        var name = Name("reborn");
        await Store.CreateModelAsync(name, "", [new("old", "1")], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await Store.DeleteModelAsync(name, T0 + 1, "", Ct);

        var model = await Store.CreateModelAsync(name, "", [], T0 + 2, Ct);

        Assert.Empty(model.Tags);
        Assert.Empty(model.LatestVersions);
        Assert.Equal(1, (await NewVersionAsync(name)).Version);
        Assert.Single(await Store.GetAuditAsync(name, Ct));
    }

    // ---------------------------------------------------------------- model tags

    [Fact]
    public async Task Sets_replaces_and_deletes_model_tags()
    {
        var name = Name("tagged");
        await Store.CreateModelAsync(name, "", [new("keep", "1")], T0, Ct);

        await Store.SetModelTagAsync(name, new Tag("team", "cv"), T0 + 1, Ct);
        await Store.SetModelTagAsync(name, new Tag("team", "nlp"), T0 + 2, Ct);
        var replaced = (await Store.GetModelAsync(name, Ct))!;
        await Store.DeleteModelTagAsync(name, "team", Ct);
        var deleted = (await Store.GetModelAsync(name, Ct))!;

        Assert.Equal([new Tag("keep", "1"), new Tag("team", "nlp")], Sorted(replaced.Tags));
        Assert.Equal(T0 + 2, replaced.LastUpdatedTime);
        Assert.Equal([new Tag("keep", "1")], deleted.Tags);
    }

    [Fact]
    public async Task Rejects_deleting_an_unknown_model_tag_with_not_found()
    {
        var name = Name("tagless");
        await Store.CreateModelAsync(name, "", [new("keep", "1")], T0, Ct);

        await AssertKind(ErrorKind.NotFound, () => Store.DeleteModelTagAsync(name, "nope", Ct));

        Assert.Equal([new Tag("keep", "1")], (await Store.GetModelAsync(name, Ct))!.Tags);
    }

    [Fact]
    public async Task Rejects_tags_on_an_unknown_model_with_not_found()
    {
        var name = Name("missing");

        await AssertKind(ErrorKind.NotFound, () => Store.SetModelTagAsync(name, new Tag("k", "v"), T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteModelTagAsync(name, "k", Ct));

        Assert.Null(await Store.GetModelAsync(name, Ct));
    }

    // ---------------------------------------------------------------- versions

    [Fact]
    public async Task Creates_a_version_with_every_field_and_reads_it_back()
    {
        var name = Name("fields");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        var runId = Guid.NewGuid().ToString("N");

        var created = await Store.CreateVersionAsync(name, $"mlflow-artifacts:/1/{runId}/artifacts/model", runId, "http://ci/job/7", "first cut", "alice",
            [new("stage", "candidate"), new("framework", "onnx")], T0 + 1, Ct);
        var read = await Store.GetVersionAsync(name, 1, Ct);

        foreach (var version in new[] { created, read! })
        {
            Assert.NotNull(version);
            Assert.Equal(name, version.Name);
            Assert.Equal(1, version.Version);
            Assert.Equal(T0 + 1, version.CreationTime);
            Assert.Equal(T0 + 1, version.LastUpdatedTime);
            Assert.Equal("first cut", version.Description);
            Assert.Equal("alice", version.UserId);
            Assert.Equal(ModelStage.None, version.CurrentStage);
            Assert.Equal($"mlflow-artifacts:/1/{runId}/artifacts/model", version.Source);
            Assert.Equal(runId, version.RunId);
            Assert.Equal("http://ci/job/7", version.RunLink);
            Assert.Equal(ModelVersion.Ready, version.Status);
            Assert.Equal([new Tag("framework", "onnx"), new Tag("stage", "candidate")], Sorted(version.Tags));
            Assert.Empty(version.Aliases);
        }

        Assert.Equal(T0 + 1, (await Store.GetModelAsync(name, Ct))!.LastUpdatedTime);
    }

    [Fact]
    public async Task Creates_a_version_without_a_run()
    {
        var name = Name("runless");
        await Store.CreateModelAsync(name, "", [], T0, Ct);

        var version = await Store.CreateVersionAsync(name, "mlflow-artifacts:/shared/model", null, null, "", "", [], T0, Ct);

        Assert.Null(version.RunId);
        Assert.Null(version.RunLink);
        Assert.Equal("mlflow-artifacts:/shared/model", (await Store.GetVersionAsync(name, 1, Ct))!.Source);
    }

    [Fact]
    public async Task Numbers_versions_1_2_3_per_model_independently_of_other_models()
    {
        var churn = Name("churn");
        var vision = Name("vision");
        await Store.CreateModelAsync(churn, "", [], T0, Ct);
        await Store.CreateModelAsync(vision, "", [], T0, Ct);

        var numbers = new List<(string, long)>();
        foreach (var model in new[] { churn, vision, churn, churn, vision })
        {
            var version = await NewVersionAsync(model);
            numbers.Add((version.Name, version.Version));
        }

        Assert.Equal([(churn, 1L), (vision, 1L), (churn, 2L), (churn, 3L), (vision, 2L)], numbers);
    }

    [Fact]
    public async Task Never_reuses_the_number_of_a_deleted_newest_version()
    {
        var name = Name("gaps");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await Store.DeleteVersionAsync(name, 2, T0 + 1, "", Ct);

        var next = await NewVersionAsync(name);

        Assert.Equal(3, next.Version);
        Assert.Null(await Store.GetVersionAsync(name, 2, Ct));
    }

    [Fact]
    public async Task Gives_20_concurrent_registrations_of_one_model_20_distinct_consecutive_numbers()
    {
        var name = Name("busy");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        using var start = new ManualResetEventSlim();

        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await Store.CreateVersionAsync(name, $"mlflow-artifacts:/concurrent/{i}", null, null, $"task {i}", "", [], T0 + i, Ct);
        })).ToList();
        start.Set();
        var versions = await Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), versions.Select(v => v.Version).Order());
        var stored = (await Store.SearchVersionsAsync(VersionQuery($"name = '{name}'"), Ct)).Items;
        Assert.Equal(20, stored.Count);
        foreach (var version in versions)
        {
            var read = stored.Single(v => v.Version == version.Version);
            Assert.Equal(version.Source, read.Source);
            Assert.Equal(version.Description, read.Description);
        }
    }

    [Fact]
    public async Task Rejects_a_version_of_an_unknown_model_with_not_found()
    {
        var name = Name("missing");

        await AssertKind(ErrorKind.NotFound, () => Store.CreateVersionAsync(name, "mlflow-artifacts:/x", null, null, "", "", [], T0, Ct));

        Assert.Null(await Store.GetModelAsync(name, Ct));
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_version_or_model()
    {
        var name = Name("one");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);

        Assert.Null(await Store.GetVersionAsync(name, 2, Ct));
        Assert.Null(await Store.GetVersionAsync(Name("missing"), 1, Ct));
    }

    [Fact]
    public async Task Updates_a_version_description_and_its_last_updated_time()
    {
        var name = Name("described");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);

        var updated = await Store.UpdateVersionAsync(name, 1, "now with docs", T0 + 9, Ct);

        Assert.Equal("now with docs", updated.Description);
        Assert.Equal(T0, updated.CreationTime);
        Assert.Equal(T0 + 9, updated.LastUpdatedTime);
        Assert.Equal("now with docs", (await Store.GetVersionAsync(name, 1, Ct))!.Description);
    }

    [Fact]
    public async Task Rejects_changes_to_an_unknown_version_with_not_found()
    {
        var name = Name("sparse");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        var missingModel = Name("missing");

        await AssertKind(ErrorKind.NotFound, () => Store.UpdateVersionAsync(name, 2, "d", T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.UpdateVersionAsync(missingModel, 1, "d", T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteVersionAsync(name, 2, T0, "", Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteVersionAsync(missingModel, 1, T0, "", Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.TransitionStageAsync(name, 2, ModelStage.Production, true, T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetVersionTagAsync(name, 2, new Tag("k", "v"), T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteVersionTagAsync(name, 2, "k", Ct));

        Assert.Empty(await Store.GetAuditAsync(name, Ct));
        Assert.Equal(ModelStage.None, (await Store.GetVersionAsync(name, 1, Ct))!.CurrentStage);
    }

    [Fact]
    public async Task Deletes_a_version_with_its_aliases_and_records_the_deletion()
    {
        var name = Name("pruned");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name, tags: [new("k", "v")]);
        await Store.SetAliasAsync(name, "champion", 2, T0, Ct);
        await Store.SetAliasAsync(name, "challenger", 2, T0, Ct);
        await Store.SetAliasAsync(name, "baseline", 1, T0, Ct);

        await Store.DeleteVersionAsync(name, 2, T0 + 20, "requested by bob", Ct);

        Assert.Null(await Store.GetVersionAsync(name, 2, Ct));
        Assert.Null(await Store.GetVersionByAliasAsync(name, "champion", Ct));
        Assert.Null(await Store.GetVersionByAliasAsync(name, "challenger", Ct));
        Assert.Equal(1, (await Store.GetVersionByAliasAsync(name, "baseline", Ct))!.Version);
        var model = (await Store.GetModelAsync(name, Ct))!;
        Assert.Equal([new ModelAlias("baseline", 1)], model.Aliases);
        Assert.Equal([1L], model.LatestVersions.Select(v => v.Version));
        var entry = Assert.Single(await Store.GetAuditAsync(name, Ct));
        Assert.Equal(T0 + 20, entry.Time);
        Assert.Equal(name, entry.Name);
        Assert.Equal(2, entry.Version);
        Assert.Contains("delete", entry.Action, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("requested by bob", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sets_replaces_and_deletes_version_tags()
    {
        var name = Name("vtags");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name, tags: [new("keep", "1")]);
        await NewVersionAsync(name);

        await Store.SetVersionTagAsync(name, 1, new Tag("quality", "good"), T0 + 1, Ct);
        await Store.SetVersionTagAsync(name, 1, new Tag("quality", "great"), T0 + 2, Ct);
        var replaced = (await Store.GetVersionAsync(name, 1, Ct))!;
        await Store.DeleteVersionTagAsync(name, 1, "quality", Ct);
        var deleted = (await Store.GetVersionAsync(name, 1, Ct))!;

        Assert.Equal([new Tag("keep", "1"), new Tag("quality", "great")], Sorted(replaced.Tags));
        Assert.Equal(T0 + 2, replaced.LastUpdatedTime);
        Assert.Equal([new Tag("keep", "1")], deleted.Tags);
        Assert.Empty((await Store.GetVersionAsync(name, 2, Ct))!.Tags);
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteVersionTagAsync(name, 1, "quality", Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteVersionTagAsync(name, 2, "keep", Ct));
    }

    // ---------------------------------------------------------------- stages

    [Fact]
    public async Task Transitions_a_version_without_touching_others_when_not_asked_to_archive()
    {
        var name = Name("staged");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await Store.TransitionStageAsync(name, 1, ModelStage.Production, false, T0 + 1, Ct);

        var moved = await Store.TransitionStageAsync(name, 2, ModelStage.Production, false, T0 + 2, Ct);

        Assert.Equal(ModelStage.Production, moved.CurrentStage);
        Assert.Equal(T0 + 2, moved.LastUpdatedTime);
        Assert.Equal([ModelStage.Production, ModelStage.Production], await StagesAsync(name, 2));
    }

    [Fact]
    public async Task Archives_the_other_versions_in_the_target_stage_when_asked()
    {
        var name = Name("archiving");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        for (var i = 0; i < 4; i++)
        {
            await NewVersionAsync(name);
        }

        await Store.TransitionStageAsync(name, 1, ModelStage.Production, false, T0, Ct);
        await Store.TransitionStageAsync(name, 2, ModelStage.Production, false, T0, Ct);
        await Store.TransitionStageAsync(name, 3, ModelStage.Staging, false, T0, Ct);

        var moved = await Store.TransitionStageAsync(name, 4, ModelStage.Production, true, T0 + 5, Ct);

        Assert.Equal(ModelStage.Production, moved.CurrentStage);
        Assert.Equal([ModelStage.Archived, ModelStage.Archived, ModelStage.Staging, ModelStage.Production], await StagesAsync(name, 4));
        Assert.Equal(T0 + 5, (await Store.GetVersionAsync(name, 1, Ct))!.LastUpdatedTime);
    }

    [Fact]
    public async Task Archives_only_versions_of_the_same_model()
    {
        var name = Name("mine");
        var other = Name("theirs");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await Store.CreateModelAsync(other, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await NewVersionAsync(other);
        await Store.TransitionStageAsync(name, 1, ModelStage.Staging, false, T0, Ct);
        await Store.TransitionStageAsync(other, 1, ModelStage.Staging, false, T0, Ct);

        await Store.TransitionStageAsync(name, 2, ModelStage.Staging, true, T0, Ct);

        Assert.Equal([ModelStage.Archived, ModelStage.Staging], await StagesAsync(name, 2));
        Assert.Equal([ModelStage.Staging], await StagesAsync(other, 1));
    }

    [Theory]
    [InlineData(ModelStage.Archived)]
    [InlineData(ModelStage.None)]
    public async Task Never_archives_other_versions_when_the_target_stage_is_archived_or_none(ModelStage target)
    {
        var name = Name("calm");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        for (var i = 0; i < 4; i++)
        {
            await NewVersionAsync(name);
        }

        await Store.TransitionStageAsync(name, 1, ModelStage.Production, false, T0, Ct);
        await Store.TransitionStageAsync(name, 2, ModelStage.Staging, false, T0, Ct);
        await Store.TransitionStageAsync(name, 3, target, false, T0, Ct);
        await Store.TransitionStageAsync(name, 4, ModelStage.Production, false, T0, Ct);

        await Store.TransitionStageAsync(name, 4, target, true, T0 + 1, Ct);

        Assert.Equal([ModelStage.Production, ModelStage.Staging, target, target], await StagesAsync(name, 4));
    }

    [Fact]
    public async Task Returns_the_newest_version_of_every_stage_when_no_stage_is_given()
    {
        var name = Name("latest");
        await SeedStagesAsync(name);

        var all = await Store.GetLatestVersionsAsync(name, [], Ct);

        Assert.Equal([(ModelStage.None, 6L), (ModelStage.Staging, 2L), (ModelStage.Production, 3L), (ModelStage.Archived, 5L)],
            all.Select(v => (v.CurrentStage, v.Version)).OrderBy(p => p.CurrentStage));
        Assert.All(all, v => Assert.Equal(name, v.Name));
        Assert.Equal(all.Select(v => v.Version).Order(), (await Store.GetModelAsync(name, Ct))!.LatestVersions.Select(v => v.Version).Order());
    }

    [Fact]
    public async Task Returns_the_newest_version_of_the_requested_stages_only()
    {
        var name = Name("latest");
        await SeedStagesAsync(name);

        var production = await Store.GetLatestVersionsAsync(name, [ModelStage.Production], Ct);
        var two = await Store.GetLatestVersionsAsync(name, [ModelStage.Staging, ModelStage.Archived], Ct);

        Assert.Equal([3L], production.Select(v => v.Version));
        Assert.Equal([(ModelStage.Staging, 2L), (ModelStage.Archived, 5L)], two.Select(v => (v.CurrentStage, v.Version)).OrderBy(p => p.CurrentStage));
    }

    [Fact]
    public async Task Returns_no_latest_version_for_a_stage_nobody_is_in()
    {
        var name = Name("fresh");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);

        Assert.Empty(await Store.GetLatestVersionsAsync(name, [ModelStage.Production], Ct));
        Assert.Equal([1L], (await Store.GetLatestVersionsAsync(name, [], Ct)).Select(v => v.Version));
    }

    // ---------------------------------------------------------------- aliases

    [Fact]
    public async Task Sets_an_alias_and_finds_the_version_by_it()
    {
        var name = Name("aliased");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);

        await Store.SetAliasAsync(name, "champion", 1, T0 + 7, Ct);
        await Store.SetAliasAsync(name, "challenger", 1, T0 + 8, Ct);

        var version = (await Store.GetVersionByAliasAsync(name, "champion", Ct))!;
        Assert.Equal(1, version.Version);
        Assert.Equal(["challenger", "champion"], version.Aliases.Order(StringComparer.Ordinal));
        Assert.Equal(version.Version, (await Store.GetVersionByAliasAsync(name, "challenger", Ct))!.Version);
        var model = (await Store.GetModelAsync(name, Ct))!;
        Assert.Equal([new ModelAlias("challenger", 1), new ModelAlias("champion", 1)], model.Aliases.OrderBy(a => a.Alias, StringComparer.Ordinal));
        Assert.Equal(T0 + 8, model.LastUpdatedTime);
        Assert.Empty((await Store.GetVersionAsync(name, 2, Ct))!.Aliases);
    }

    [Fact]
    public async Task Moves_an_alias_so_it_points_at_exactly_one_version()
    {
        var name = Name("moving");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        await Store.SetAliasAsync(name, "champion", 2, T0 + 1, Ct);

        Assert.Equal(2, (await Store.GetVersionByAliasAsync(name, "champion", Ct))!.Version);
        Assert.Empty((await Store.GetVersionAsync(name, 1, Ct))!.Aliases);
        Assert.Equal(["champion"], (await Store.GetVersionAsync(name, 2, Ct))!.Aliases);
        Assert.Equal([new ModelAlias("champion", 2)], (await Store.GetModelAsync(name, Ct))!.Aliases);
    }

    [Fact]
    public async Task Keeps_aliases_of_different_models_apart()
    {
        var first = Name("first");
        var second = Name("second");
        await Store.CreateModelAsync(first, "", [], T0, Ct);
        await Store.CreateModelAsync(second, "", [], T0, Ct);
        await NewVersionAsync(first);
        await NewVersionAsync(second);
        await NewVersionAsync(second);

        await Store.SetAliasAsync(first, "champion", 1, T0, Ct);
        await Store.SetAliasAsync(second, "champion", 2, T0, Ct);

        Assert.Equal((first, 1L), Key(await Store.GetVersionByAliasAsync(first, "champion", Ct)));
        Assert.Equal((second, 2L), Key(await Store.GetVersionByAliasAsync(second, "champion", Ct)));
    }

    [Fact]
    public async Task Leaves_one_consistent_target_after_10_concurrent_moves_of_one_alias()
    {
        var name = Name("contested");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        for (var i = 0; i < 10; i++)
        {
            await NewVersionAsync(name);
        }

        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(1, 10).Select(version => Task.Run(async () =>
        {
            start.Wait();
            for (var round = 0; round < 5; round++)
            {
                await Store.SetAliasAsync(name, "champion", version, T0 + round, Ct);
                Assert.NotNull(await Store.GetVersionByAliasAsync(name, "champion", Ct));
            }
        })).ToList();
        start.Set();
        await Task.WhenAll(tasks);

        var target = (await Store.GetVersionByAliasAsync(name, "champion", Ct))!;
        Assert.InRange(target.Version, 1, 10);
        Assert.Equal(["champion"], target.Aliases);
        Assert.Equal([new ModelAlias("champion", target.Version)], (await Store.GetModelAsync(name, Ct))!.Aliases);
        var all = (await Store.SearchVersionsAsync(VersionQuery($"name = '{name}'"), Ct)).Items;
        Assert.Equal([target.Version], all.Where(v => v.Aliases.Contains("champion")).Select(v => v.Version));
    }

    [Fact]
    public async Task Reads_a_version_by_alias_and_its_aliases_from_one_snapshot_while_the_alias_moves()
    {
        var name = Name("flipping");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);
        var moved = 0;

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                await Store.SetAliasAsync(name, "champion", 2 - (i % 2), T0 + i, Ct);
                Interlocked.Increment(ref moved);
            }
        });
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var inconsistent = new List<string>();
            while (Volatile.Read(ref moved) < 2000)
            {
                var version = await Store.GetVersionByAliasAsync(name, "champion", Ct);
                var model = (await Store.GetModelAsync(name, Ct))!;
                if (version is null || !version.Aliases.Contains("champion"))
                {
                    inconsistent.Add($"version {version?.Version} has aliases [{string.Join(",", version?.Aliases ?? [])}]");
                }

                if (model.Aliases.Count(a => a.Alias == "champion") != 1)
                {
                    inconsistent.Add($"model aliases [{string.Join(",", model.Aliases)}]");
                }
            }

            return inconsistent;
        })).ToList();
        await writer;
        var seen = (await Task.WhenAll(readers)).SelectMany(x => x).ToList();

        Assert.True(seen.Count == 0, $"{seen.Count} inconsistent reads, e.g. {seen.FirstOrDefault()}");
    }

    [Fact]
    public async Task Deletes_an_alias()
    {
        var name = Name("unaliased");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);
        await Store.SetAliasAsync(name, "baseline", 1, T0, Ct);

        await Store.DeleteAliasAsync(name, "champion", T0 + 3, Ct);

        Assert.Null(await Store.GetVersionByAliasAsync(name, "champion", Ct));
        Assert.Equal(["baseline"], (await Store.GetVersionAsync(name, 1, Ct))!.Aliases);
        var model = (await Store.GetModelAsync(name, Ct))!;
        Assert.Equal([new ModelAlias("baseline", 1)], model.Aliases);
        Assert.Equal(T0 + 3, model.LastUpdatedTime);
    }

    [Fact]
    public async Task Rejects_deleting_an_unknown_alias_with_not_found()
    {
        var name = Name("plain");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        await AssertKind(ErrorKind.NotFound, () => Store.DeleteAliasAsync(name, "challenger", T0, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.DeleteAliasAsync(Name("missing"), "champion", T0, Ct));

        Assert.Equal(1, (await Store.GetVersionByAliasAsync(name, "champion", Ct))!.Version);
    }

    [Fact]
    public async Task Rejects_an_alias_on_a_missing_version_with_not_found()
    {
        var name = Name("short");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        await AssertKind(ErrorKind.NotFound, () => Store.SetAliasAsync(name, "champion", 2, T0 + 1, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetAliasAsync(name, "challenger", 2, T0 + 1, Ct));
        await AssertKind(ErrorKind.NotFound, () => Store.SetAliasAsync(Name("missing"), "champion", 1, T0 + 1, Ct));

        Assert.Equal(1, (await Store.GetVersionByAliasAsync(name, "champion", Ct))!.Version);
        Assert.Null(await Store.GetVersionByAliasAsync(name, "challenger", Ct));
        Assert.Equal([new ModelAlias("champion", 1)], (await Store.GetModelAsync(name, Ct))!.Aliases);
    }

    [Fact]
    public async Task Returns_null_for_an_unknown_alias()
    {
        var name = Name("plain");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name);

        Assert.Null(await Store.GetVersionByAliasAsync(name, "champion", Ct));
        Assert.Null(await Store.GetVersionByAliasAsync(Name("missing"), "champion", Ct));
    }

    // ---------------------------------------------------------------- search registered models

    [Theory]
    [InlineData("name = '{0}churn-a'", "churn-a")]
    [InlineData("name LIKE '{0}churn%'", "churn-a churn-b")]
    [InlineData("name LIKE '{0}%' AND tags.team = 'cv'", "vision")]
    [InlineData("name LIKE '{0}%' AND tags.team != 'cv'", "churn-a")]
    [InlineData("name LIKE '{0}%' AND (tags.team = 'cv' OR name = '{0}churn-b')", "churn-b vision")]
    [InlineData("name = '{0}churn-a' OR name = '{0}vision'", "churn-a vision")]
    [InlineData("name LIKE '{0}%' AND name != '{0}churn-a'", "churn-b vision")]
    [InlineData("name = '{0}nothing'", "")]
    public async Task Filters_registered_models(string filter, string expected)
    {
        await SeedThreeModelsAsync();

        var page = await Store.SearchModelsAsync(ModelQuery(string.Format(System.Globalization.CultureInfo.InvariantCulture, filter, _prefix)), Ct);

        Assert.False(page.HasMore);
        Assert.Equal(Words(expected), page.Items.Select(m => m.Name[_prefix.Length..]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, "churn-a churn-b vision")]
    [InlineData("name", "churn-a churn-b vision")]
    [InlineData("name DESC", "vision churn-b churn-a")]
    [InlineData("creation_timestamp DESC", "vision churn-b churn-a")]
    [InlineData("last_updated_timestamp", "churn-b vision churn-a")]
    public async Task Orders_registered_models(string? orderBy, string expected)
    {
        await SeedThreeModelsAsync();

        var page = await Store.SearchModelsAsync(ModelQuery($"name LIKE '{_prefix}%'", orderBy is null ? [] : [orderBy]), Ct);

        Assert.Equal(Words(expected), page.Items.Select(m => m.Name[_prefix.Length..]));
    }

    [Fact]
    public async Task Returns_tags_aliases_and_latest_versions_from_a_model_search()
    {
        var name = Name("rich");
        await Store.CreateModelAsync(name, "desc", [new("team", "cv")], T0, Ct);
        await NewVersionAsync(name);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        var found = Assert.Single((await Store.SearchModelsAsync(ModelQuery($"name = '{name}'"), Ct)).Items);

        Assert.Equal(await Store.GetModelAsync(name, Ct), found, s_modelComparer);
        Assert.Equal([new Tag("team", "cv")], found.Tags);
        Assert.Equal([new ModelAlias("champion", 1)], found.Aliases);
        Assert.Equal([1L], found.LatestVersions.Select(v => v.Version));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("name DESC")]
    [InlineData("creation_timestamp")]
    [InlineData("tags.group")]
    public async Task Pages_through_registered_models_without_duplicates_or_gaps(string? orderBy)
    {
        for (var i = 0; i < 11; i++)
        {
            // Few distinct times and tag values: most of the order comes from the tie-break.
            await Store.CreateModelAsync(Name($"{i:D2}"), "", i % 4 == 0 ? [] : [new("group", $"{i % 2}")], T0 + (i % 3), Ct);
        }

        string[] order = orderBy is null ? [] : [orderBy];
        var filter = $"name LIKE '{_prefix}%'";
        var whole = await Store.SearchModelsAsync(ModelQuery(filter, order), Ct);
        var seen = new List<string>();
        var more = new List<bool>();
        for (long offset = 0; ; offset += 4)
        {
            var page = await Store.SearchModelsAsync(ModelQuery(filter, order, 4, offset), Ct);
            seen.AddRange(page.Items.Select(m => m.Name));
            more.Add(page.HasMore);
            if (!page.HasMore)
            {
                break;
            }

            Assert.Equal(4, page.Items.Count);
        }

        Assert.Equal([true, true, false], more);
        Assert.Equal(whole.Items.Select(m => m.Name), seen);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => Name($"{i:D2}")), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reports_no_more_models_when_the_page_is_exactly_full()
    {
        await SeedThreeModelsAsync();

        var full = await Store.SearchModelsAsync(ModelQuery($"name LIKE '{_prefix}%'", max: 3), Ct);
        var partial = await Store.SearchModelsAsync(ModelQuery($"name LIKE '{_prefix}%'", max: 2), Ct);

        Assert.Equal(3, full.Items.Count);
        Assert.False(full.HasMore);
        Assert.Equal(2, partial.Items.Count);
        Assert.True(partial.HasMore);
    }

    // ---------------------------------------------------------------- search model versions

    [Theory]
    [InlineData("name = '{0}churn'", "churn/1 churn/2 churn/3")]
    [InlineData("name LIKE '{0}ch%'", "churn/1 churn/2 churn/3")]
    [InlineData("run_id = '{1}'", "churn/1 vision/1")]
    [InlineData("name LIKE '{0}%' AND current_stage = 'Production'", "churn/2 vision/1")]
    [InlineData("name LIKE '{0}%' AND tags.team = 'cv'", "vision/1 vision/2")]
    [InlineData("name = '{0}churn' AND (current_stage = 'Production' OR run_id = '{1}')", "churn/1 churn/2")]
    [InlineData("(name = '{0}vision' AND tags.team = 'cv') OR (name = '{0}churn' AND version_number >= 3)", "churn/3 vision/1 vision/2")]
    [InlineData("name LIKE '{0}%' AND source_path = 'mlflow-artifacts:/v/2'", "vision/2")]
    public async Task Filters_model_versions(string filter, string expected)
    {
        var runId = await SeedVersionsAsync();

        var page = await Store.SearchVersionsAsync(VersionQuery(string.Format(System.Globalization.CultureInfo.InvariantCulture, filter, _prefix, runId)), Ct);

        Assert.False(page.HasMore);
        Assert.Equal(Words(expected), page.Items.Select(v => $"{v.Name[_prefix.Length..]}/{v.Version}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("version_number DESC", "churn/3 churn/2 vision/2 churn/1 vision/1")]
    [InlineData("version_number", "churn/1 vision/1 churn/2 vision/2 churn/3")]
    [InlineData("name DESC", "vision/2 vision/1 churn/3 churn/2 churn/1")]
    [InlineData("creation_timestamp DESC", "churn/3 vision/2 churn/2 vision/1 churn/1")]
    public async Task Orders_model_versions(string orderBy, string expected)
    {
        await SeedVersionsAsync();

        // Ties are broken explicitly (name, then newest version first), so the expected order is exact.
        var page = await Store.SearchVersionsAsync(VersionQuery($"name LIKE '{_prefix}%'", [orderBy, "name", "version_number DESC"]), Ct);

        Assert.Equal(Words(expected), page.Items.Select(v => $"{v.Name[_prefix.Length..]}/{v.Version}"));
    }

    [Fact]
    public async Task Returns_tags_and_aliases_from_a_version_search()
    {
        var name = Name("rich");
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        await NewVersionAsync(name, tags: [new("k", "v")]);
        await Store.SetAliasAsync(name, "champion", 1, T0, Ct);

        var found = Assert.Single((await Store.SearchVersionsAsync(VersionQuery($"name = '{name}'"), Ct)).Items);

        Assert.Equal([new Tag("k", "v")], found.Tags);
        Assert.Equal(["champion"], found.Aliases);
        Assert.Equal(await Store.GetVersionAsync(name, 1, Ct), found, s_versionComparer);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("version_number DESC")]
    [InlineData("creation_timestamp")]
    [InlineData("tags.group DESC")]
    public async Task Pages_through_model_versions_without_duplicates_or_gaps(string? orderBy)
    {
        var names = new[] { Name("a"), Name("b"), Name("c") };
        foreach (var name in names)
        {
            await Store.CreateModelAsync(name, "", [], T0, Ct);
        }

        var expected = new List<string>();
        for (var i = 0; i < 13; i++)
        {
            var name = names[i % 3];
            var version = await Store.CreateVersionAsync(name, $"mlflow-artifacts:/p/{i}", null, null, "", "", i % 4 == 0 ? [] : [new("group", $"{i % 2}")], T0 + (i % 2), Ct);
            expected.Add($"{name}/{version.Version}");
        }

        string[] order = orderBy is null ? [] : [orderBy];
        var filter = $"name LIKE '{_prefix}%'";
        var whole = await Store.SearchVersionsAsync(VersionQuery(filter, order), Ct);
        var seen = new List<string>();
        var more = new List<bool>();
        for (long offset = 0; ; offset += 5)
        {
            var page = await Store.SearchVersionsAsync(VersionQuery(filter, order, 5, offset), Ct);
            seen.AddRange(page.Items.Select(v => $"{v.Name}/{v.Version}"));
            more.Add(page.HasMore);
            if (!page.HasMore)
            {
                break;
            }

            Assert.Equal(5, page.Items.Count);
        }

        Assert.Equal([true, true, false], more);
        Assert.Equal(whole.Items.Select(v => $"{v.Name}/{v.Version}"), seen);
        Assert.Equal(expected.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A model name unique to this test.</summary>
    protected string Name(string suffix) => _prefix + suffix;

    protected RegistryQuery ModelQuery(string? filter, IEnumerable<string>? orderBy = null, int max = 1000, long offset = 0) =>
        new(SearchFilterParser.Parse(filter, SearchTarget.RegisteredModels), OrderByParser.Parse(orderBy, SearchTarget.RegisteredModels), max, offset);

    protected RegistryQuery VersionQuery(string? filter, IEnumerable<string>? orderBy = null, int max = 1000, long offset = 0) =>
        new(SearchFilterParser.Parse(filter, SearchTarget.ModelVersions), OrderByParser.Parse(orderBy, SearchTarget.ModelVersions), max, offset);

    protected Task<ModelVersion> NewVersionAsync(string name, string? runId = null, IReadOnlyList<Tag>? tags = null, long now = T0) =>
        Store.CreateVersionAsync(name, $"mlflow-artifacts:/models/{Guid.NewGuid():N}", runId, null, "", "alice", tags ?? [], now, Ct);

    /// <summary>churn-a (team ds, created T0, updated last), churn-b (created T0+1), vision (team cv, created T0+2).</summary>
    private async Task SeedThreeModelsAsync()
    {
        await Store.CreateModelAsync(Name("churn-a"), "", [new("team", "ds")], T0, Ct);
        await Store.CreateModelAsync(Name("churn-b"), "", [], T0 + 1, Ct);
        await Store.CreateModelAsync(Name("vision"), "", [new("team", "cv")], T0 + 2, Ct);
        await Store.UpdateModelAsync(Name("churn-a"), "touched", T0 + 10, Ct);
    }

    /// <summary>
    /// churn/1 (run R, T0), vision/1 (run R, team cv, Production, T0+1), churn/2 (Production, T0+2),
    /// vision/2 (team cv, source mlflow-artifacts:/v/2, T0+3), churn/3 (T0+4). Returns R.
    /// </summary>
    private async Task<string> SeedVersionsAsync()
    {
        var churn = Name("churn");
        var vision = Name("vision");
        var runId = Guid.NewGuid().ToString("N");
        await Store.CreateModelAsync(churn, "", [], T0, Ct);
        await Store.CreateModelAsync(vision, "", [], T0, Ct);
        await NewVersionAsync(churn, runId, now: T0);
        await NewVersionAsync(vision, runId, [new("team", "cv")], T0 + 1);
        await NewVersionAsync(churn, now: T0 + 2);
        await Store.CreateVersionAsync(vision, "mlflow-artifacts:/v/2", null, null, "", "", [new("team", "cv")], T0 + 3, Ct);
        await NewVersionAsync(churn, now: T0 + 4);
        await Store.TransitionStageAsync(vision, 1, ModelStage.Production, false, T0 + 1, Ct);
        await Store.TransitionStageAsync(churn, 2, ModelStage.Production, false, T0 + 2, Ct);
        return runId;
    }

    /// <summary>v1 Production, v2 Staging, v3 Production, v4 Archived, v5 Staging then Archived, v6 None.</summary>
    private async Task SeedStagesAsync(string name)
    {
        await Store.CreateModelAsync(name, "", [], T0, Ct);
        for (var i = 0; i < 6; i++)
        {
            await NewVersionAsync(name);
        }

        await Store.TransitionStageAsync(name, 1, ModelStage.Production, false, T0, Ct);
        await Store.TransitionStageAsync(name, 2, ModelStage.Staging, false, T0, Ct);
        await Store.TransitionStageAsync(name, 3, ModelStage.Production, false, T0, Ct);
        await Store.TransitionStageAsync(name, 4, ModelStage.Archived, false, T0, Ct);
        await Store.TransitionStageAsync(name, 5, ModelStage.Staging, false, T0, Ct);
        await Store.TransitionStageAsync(name, 5, ModelStage.Archived, false, T0, Ct);
    }

    private async Task<List<ModelStage>> StagesAsync(string name, int count)
    {
        var stages = new List<ModelStage>();
        for (var version = 1; version <= count; version++)
        {
            stages.Add((await Store.GetVersionAsync(name, version, Ct))!.CurrentStage);
        }

        return stages;
    }

    private static (string, long)? Key(ModelVersion? version) => version is null ? null : (version.Name, version.Version);

    private static string[] Words(string expected) => expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static List<Tag> Sorted(IEnumerable<Tag> tags) => tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();

    private static async Task<MlopsException> AssertKind(ErrorKind kind, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<MlopsException>(action);
        Assert.Equal(kind, error.Kind);
        return error;
    }

    /// <summary>Records hold lists, which compare by reference; these compare two reads of one entity by content.</summary>
    private static readonly EqualityComparer<RegisteredModel?> s_modelComparer = EqualityComparer<RegisteredModel?>.Create((a, b) =>
        a is not null && b is not null
        && a with { Tags = [], Aliases = [], LatestVersions = [] } == b with { Tags = [], Aliases = [], LatestVersions = [] }
        && Sorted(a.Tags).SequenceEqual(Sorted(b.Tags))
        && a.Aliases.OrderBy(x => x.Alias, StringComparer.Ordinal).SequenceEqual(b.Aliases.OrderBy(x => x.Alias, StringComparer.Ordinal))
        && a.LatestVersions.Select(v => v.Version).Order().SequenceEqual(b.LatestVersions.Select(v => v.Version).Order()));

    private static readonly EqualityComparer<ModelVersion?> s_versionComparer = EqualityComparer<ModelVersion?>.Create((a, b) =>
        a is not null && b is not null
        && a with { Tags = [], Aliases = [] } == b with { Tags = [], Aliases = [] }
        && Sorted(a.Tags).SequenceEqual(Sorted(b.Tags))
        && a.Aliases.Order(StringComparer.Ordinal).SequenceEqual(b.Aliases.Order(StringComparer.Ordinal)));
}
