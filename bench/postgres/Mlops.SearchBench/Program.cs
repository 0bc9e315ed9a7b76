using System.Diagnostics;
using System.Globalization;
using Mlops.Application.Ports;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Search;
using Mlops.Domain.Tracking;
using Mlops.Infrastructure.Persistence.Postgres;
using Mlops.Infrastructure.Persistence.Sqlite;

// The large-scale search benchmark: 100,000 runs with 10 params and 10 metrics each, written through the store,
// then a metric-and-param filter ordered by a metric, top 100, timed end to end through ITrackingStore.
//   dotnet run -c Release --project bench/postgres/Mlops.SearchBench -- sqlite /tmp/search.db [runs]
//   dotnet run -c Release --project bench/postgres/Mlops.SearchBench -- postgres "Host=...;Database=..." [runs]
// The database must be empty (a fresh file or database); it is left in place, and a run count of 0 measures the
// searches again on the data set a previous run left there.
var backend = args[0];
var target = args[1];
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100_000;
ITrackingStore store = backend == "sqlite" ? new SqliteTrackingStore(new SqliteDatabase(target)) : new PostgresTrackingStore(new PostgresDatabase(target));
var ct = CancellationToken.None;

var existing = (await store.SearchExperimentsAsync(new ExperimentQuery(SearchFilterParser.Parse("name LIKE 'search-bench-%'", SearchTarget.Experiments), [], ViewType.ActiveOnly, 10, 0), ct)).Items;
var experimentId = runs == 0 ? existing[0].ExperimentId : await store.CreateExperimentAsync("search-bench-" + Guid.NewGuid().ToString("N")[..8], null, [], 1, ct);
var seeding = Stopwatch.StartNew();
string[] rates = ["0.01", "0.001", "0.1"];
var next = -1;
var writers = backend == "sqlite" ? 1 : 8;
await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var random = new Random(w);
    int i;
    while ((i = Interlocked.Increment(ref next)) < runs)
    {
        var id = Guid.NewGuid().ToString("N");
        var info = new RunInfo(id, experimentId, "r" + i, "bench", RunStatus.Finished, 1_700_000_000_000 + i, null,
            ArtifactUri.ForRun("mlflow-artifacts:/" + experimentId, id), LifecycleStage.Active);
        await store.CreateRunAsync(info, [], ct);
        var parameters = new List<Param> { new("lr", rates[i % 3]) };
        parameters.AddRange(Enumerable.Range(1, 9).Select(j => new Param("p" + j, random.Next(1000).ToString(CultureInfo.InvariantCulture))));
        var metrics = new List<Metric> { new("acc", random.NextDouble(), 1, 0) };
        metrics.AddRange(Enumerable.Range(1, 9).Select(j => new Metric("m" + j, random.NextDouble(), 1, 0)));
        await store.LogBatchAsync(new LogBatch(id, metrics, parameters, []), ct);
        if (i % 10_000 == 0)
        {
            Console.Error.WriteLine($"{i} runs, {seeding.Elapsed.TotalSeconds:F0} s");
        }
    }
})));
Console.WriteLine($"seeded {runs} runs in {seeding.Elapsed.TotalSeconds:F1} s with {writers} writer(s)");

if (backend == "postgres" && runs > 0)
{
    // What autovacuum does shortly after a bulk load; without statistics the planner guesses row counts.
    await using var database = new PostgresDatabase(target);
    await using var connection = await database.OpenAsync(ct);
    await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE", connection);
    await analyze.ExecuteNonQueryAsync(ct);
}

Measure("filter metrics.acc > 0.5 and params.lr = '0.01', order by metrics.acc DESC, top 100",
    new RunQuery([experimentId], SearchFilterParser.Parse("metrics.acc > 0.5 and params.lr = '0.01'", SearchTarget.Runs),
        OrderByParser.Parse(["metrics.acc DESC"], SearchTarget.Runs), ViewType.ActiveOnly, 100, 0));
Measure("filter metrics.m1 > 0.9 and params.p1 = '500', order by metrics.m2 DESC, top 100",
    new RunQuery([experimentId], SearchFilterParser.Parse("metrics.m1 > 0.9 and params.p1 = '500'", SearchTarget.Runs),
        OrderByParser.Parse(["metrics.m2 DESC"], SearchTarget.Runs), ViewType.ActiveOnly, 100, 0));
Measure("no filter, order by metrics.acc DESC, top 100",
    new RunQuery([experimentId], null, OrderByParser.Parse(["metrics.acc DESC"], SearchTarget.Runs), ViewType.ActiveOnly, 100, 0));

void Measure(string name, RunQuery query)
{
    var first = store.SearchRunsAsync(query, ct).GetAwaiter().GetResult();
    var times = new List<double>();
    for (var i = 0; i < 30; i++)
    {
        var watch = Stopwatch.StartNew();
        var page = store.SearchRunsAsync(query, ct).GetAwaiter().GetResult();
        times.Add(watch.Elapsed.TotalMilliseconds);
        if (page.Items.Count != first.Items.Count)
        {
            throw new InvalidOperationException("The result changed between runs.");
        }
    }

    times.Sort();
    Console.WriteLine($"{name}: {first.Items.Count} runs returned; p50 {times[times.Count / 2]:F1} ms, p90 {times[(int)(times.Count * 0.9)]:F1} ms, min {times[0]:F1} ms");
}
