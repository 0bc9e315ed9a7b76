using Mlops.Application.Ports;
using Mlops.Domain.Deployments;

namespace Mlops.Infrastructure.Tests.Persistence;

/// <summary>What every <see cref="IPredictionLog"/> adapter must do; a subclass supplies a log over a database of its own.</summary>
public abstract class PredictionLogContract
{
    private const long T0 = 1_700_000_000_000;

    private readonly string _endpoint = "ep-" + Guid.NewGuid().ToString("N")[..12];

    private IPredictionLog? _log;

    protected abstract IPredictionLog CreateLog();

    private IPredictionLog Log => _log ??= CreateLog();

    private static CancellationToken Ct => CancellationToken.None;

    private PredictionRecord Record(int revision, long at, string request, RevisionRole role = RevisionRole.Primary, string? error = null) =>
        new(_endpoint, revision, role, request, at, 42 + revision, 3, """{"columns":["x"],"data":[[1],[2],[3]]}""", """{"columns":["Score"],"data":[[0.5],[0.25],[null]]}""", error);

    [Fact]
    public async Task Appends_a_batch_and_lists_it_newest_first_exactly_as_written()
    {
        PredictionRecord[] records = [Record(1, T0, "a"), Record(1, T0 + 2, "b"), Record(2, T0 + 1, "b", RevisionRole.Shadow, "missing column 'y'")];

        await Log.AppendAsync(records, Ct);
        var page = await Log.ListAsync(new PredictionQuery(_endpoint), Ct);

        Assert.False(page.HasMore);
        Assert.Equal([records[1], records[2], records[0]], page.Items);
    }

    [Fact]
    public async Task Filters_by_revision_and_time_window_and_pages()
    {
        await Log.AppendAsync([.. Enumerable.Range(0, 10).Select(i => Record(1 + (i % 2), T0 + i, "r" + i))], Ct);
        await Log.AppendAsync([new PredictionRecord("other-" + _endpoint, 1, RevisionRole.Primary, "x", T0, 1, 1, "{}", "{}")], Ct);

        var revision2 = await Log.ListAsync(new PredictionQuery(_endpoint, Revision: 2), Ct);
        var window = await Log.ListAsync(new PredictionQuery(_endpoint, Since: T0 + 3, Until: T0 + 6), Ct);
        var first = await Log.ListAsync(new PredictionQuery(_endpoint, MaxResults: 4), Ct);
        var second = await Log.ListAsync(new PredictionQuery(_endpoint, MaxResults: 4, Offset: 4), Ct);
        var last = await Log.ListAsync(new PredictionQuery(_endpoint, MaxResults: 4, Offset: 8), Ct);

        Assert.Equal(["r9", "r7", "r5", "r3", "r1"], revision2.Items.Select(r => r.RequestId));
        Assert.Equal(["r5", "r4", "r3"], window.Items.Select(r => r.RequestId));
        Assert.True(first.HasMore);
        Assert.True(second.HasMore);
        Assert.False(last.HasMore);
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => "r" + i), first.Items.Concat(second.Items).Concat(last.Items).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Deletes_only_the_endpoints_records_before_a_time()
    {
        await Log.AppendAsync([Record(1, T0, "old"), Record(1, T0 + 10, "new")], Ct);

        var deleted = await Log.DeleteBeforeAsync(_endpoint, T0 + 5, Ct);

        Assert.Equal(1, deleted);
        Assert.Equal(["new"], (await Log.ListAsync(new PredictionQuery(_endpoint), Ct)).Items.Select(r => r.RequestId));
    }

    [Fact]
    public async Task Keeps_unicode_and_large_json_intact()
    {
        var inputs = "{\"columns\":[\"naïve ✓\"],\"data\":[[\"" + new string('x', 200_000) + "\"]]}";
        var record = new PredictionRecord(_endpoint, 1, RevisionRole.Canary, "u", T0, 7, 1, inputs, "{\"columns\":[\"label\"],\"data\":[[\"日本\"]]}");

        await Log.AppendAsync([record], Ct);

        Assert.Equal(record, (await Log.ListAsync(new PredictionQuery(_endpoint), Ct)).Items.Single());
    }
}
