using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mlops.Cli.Tests.Support;

namespace Mlops.Cli.Tests.ScaleOut;

/// <summary>
/// Scale-out on PostgreSQL with real processes: two `mlops server --no-worker` processes and three `mlops worker`
/// processes share one fresh database. 500 jobs are submitted through both servers; one worker is killed (SIGKILL,
/// mid-job) and one server is killed while clients poll it. Every job must succeed, and run to completion exactly
/// once: each job's log shows one "done" and no attempt number twice (two workers holding one job at once would log
/// the same attempt). Waits have a generous timeout and assert states, never durations.
/// </summary>
public sealed class PostgresScaleOutTests
{
    private const int Jobs = 500;
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(6);

    [PostgresFact]
    public async Task Two_servers_and_three_workers_process_500_jobs_each_exactly_once_while_a_worker_and_a_server_die()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync("scaleout");
        using var home = new TempDirectory();
        string[] store = ["--backend-store-uri", database.Uri];
        await using var serverA = await MlopsServerProcess.StartAsync(home.Path, ["--port", "0", "--no-worker", .. store]);
        var serverB = await MlopsServerProcess.StartAsync(home.Path, ["--port", "0", "--no-worker", .. store]);
        var serverBAlive = true;
        var workers = new List<MlopsWorkerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                workers.Add(await MlopsWorkerProcess.StartAsync(home.Path, [.. store, "--concurrency", "4", "--lease-seconds", "3"]));
            }

            using var a = new HttpClient { BaseAddress = new Uri(serverA.Uri.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(1) };
            using var b = new HttpClient { BaseAddress = new Uri(serverB.Uri.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(1) };
            var ids = new List<long>(Jobs);
            for (var i = 0; i < Jobs; i++)
            {
                ids.Add(await SubmitAsync(i % 2 == 0 ? a : b, sleepMs: 20 + (i % 5 * 20)));
            }

            // Kill a worker while it holds a job, and server B while a poll may be in flight on it.
            await WaitForAsync(async () => (await ListAsync(a, "running")).Any(j => j["lease_owner"]?.GetValue<string>() == workers[0].WorkerId), "a job running on worker 0", workers);
            await workers[0].KillAsync();
            var poll = ListAsync(b, "succeeded");
            await serverB.DisposeAsync();
            serverBAlive = false;
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await poll;
                await ListAsync(b, "succeeded");
            });

            await WaitForAsync(async () => await CountAsync(a, "succeeded") == Jobs, $"all {Jobs} jobs succeeded", workers);

            Assert.Equal(0, await CountAsync(a, "failed"));
            Assert.Equal(Jobs, await CountAsync(a, null));
            foreach (var id in ids)
            {
                var log = await a.GetFromJsonAsync<JsonObject>($"api/v1/jobs/{id}/logs");
                var lines = log!["lines"]!.AsArray().Select(l => l!["text"]?.GetValue<string>() ?? "").ToList();
                var attempts = lines.Where(l => l.Contains(", attempt ", StringComparison.Ordinal)).ToList();
                Assert.True(lines.Count(l => l.Contains("noop job done", StringComparison.Ordinal)) == 1, $"job {id} finished more than once or never:\n{string.Join('\n', lines)}");
                Assert.True(attempts.Distinct().Count() == attempts.Count, $"job {id} ran one attempt on two workers at once:\n{string.Join('\n', lines)}");
            }

            // The killed worker's lines may die with it, so the takeover shows in the job's attempt count.
            var retried = (await ListAsync(a, "succeeded")).Count(j => j["attempts"]!.GetValue<int>() > 1);
            Assert.True(retried >= 1, "the killed worker's jobs should have been taken over by another worker");
        }
        finally
        {
            if (serverBAlive)
            {
                await serverB.DisposeAsync();
            }

            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static async Task<long> SubmitAsync(HttpClient server, int sleepMs)
    {
        using var response = await server.PostAsJsonAsync("api/v1/jobs", new JsonObject
        {
            ["kind"] = "noop",
            ["payload"] = new JsonObject { ["sleep_ms"] = sleepMs },
            ["max_attempts"] = 5,
            ["backoff_seconds"] = 1,
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        return body!["job"]!["id"]!.GetValue<long>();
    }

    private static async Task<List<JsonNode>> ListAsync(HttpClient server, string? status)
    {
        var all = new List<JsonNode>();
        string? token = null;
        do
        {
            var query = $"api/v1/jobs?max_results=1000{(status is null ? "" : "&status=" + status)}{(token is null ? "" : "&page_token=" + Uri.EscapeDataString(token))}";
            var page = await server.GetFromJsonAsync<JsonObject>(query);
            all.AddRange(page!["jobs"]?.AsArray().Select(j => j!) ?? []);
            token = page["next_page_token"]?.GetValue<string>();
        }
        while (token is not null);
        return all;
    }

    private static async Task<int> CountAsync(HttpClient server, string? status) => (await ListAsync(server, status)).Count;

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, IReadOnlyList<MlopsWorkerProcess> workers)
    {
        var deadline = DateTime.UtcNow + s_timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}\n{string.Join("\n---\n", workers.Select(w => w.Output))}");
            await Task.Delay(250);
        }
    }
}
