using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    /// <summary>Submits a job to the queue (kinds: noop; train and more as they land).</summary>
    public async Task<JobDto> SubmitJobAsync(string kind, string payloadJson = "{}", string? queue = null, int? maxAttempts = null, CancellationToken cancellationToken = default)
    {
        using var payload = JsonDocument.Parse(payloadJson);
        var request = new SubmitJobRequest { Kind = kind, Payload = payload.RootElement.Clone(), Queue = queue, MaxAttempts = maxAttempts };
        return (await SendAsync(HttpMethod.Post, NativeApi + "jobs", request, s_json.SubmitJobRequest, s_json.JobResponse, cancellationToken)).Job!;
    }

    /// <summary>Submits a training spec (YAML or JSON); relative dataset paths are resolved against <paramref name="basePath"/> on the worker.</summary>
    public async Task<JobDto> SubmitTrainingAsync(string spec, string? basePath = null, int? maxAttempts = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, NativeApi + "train", new TrainRequest { Spec = spec, BasePath = basePath, MaxAttempts = maxAttempts }, s_json.TrainRequest, s_json.JobResponse, cancellationToken)).Job!;

    /// <summary>Gets a job with its status, attempts, progress, result or error.</summary>
    public async Task<JobDto> GetJobAsync(long id, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}jobs/{id}", cancellationToken);
        return (await ReadAsync(response, s_json.JobResponse, cancellationToken)).Job!;
    }

    /// <summary>Lists jobs, newest first, optionally by status (queued, running, succeeded, failed, cancelled) and kind.</summary>
    public async Task<JobsResponse> ListJobsAsync(string? status = null, string? kind = null, int? maxResults = null, string? pageToken = null, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}jobs" + Query(("status", status), ("kind", kind),
            ("max_results", maxResults?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("page_token", pageToken)), cancellationToken);
        return await ReadAsync(response, s_json.JobsResponse, cancellationToken);
    }

    /// <summary>Cancels a queued job, or asks a running one to stop.</summary>
    public async Task<JobDto> CancelJobAsync(long id, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync($"{NativeApi}jobs/{id}/cancel", content, cancellationToken);
        return (await ReadAsync(response, s_json.JobResponse, cancellationToken)).Job!;
    }

    /// <summary>Log lines of a job after a sequence number; with <paramref name="waitMs"/> the server waits for new lines.</summary>
    public async Task<JobLogResponse> GetJobLogAsync(long id, long after = 0, int waitMs = 0, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync($"{NativeApi}jobs/{id}/logs" + Query(("after", after.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("wait_ms", waitMs.ToString(System.Globalization.CultureInfo.InvariantCulture))), cancellationToken);
        return await ReadAsync(response, s_json.JobLogResponse, cancellationToken);
    }

    /// <summary>Streams a job's log as it is written, until the job ends.</summary>
    public async IAsyncEnumerable<JobLogLineDto> FollowJobLogAsync(long id, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long after = 0;
        while (true)
        {
            var page = await GetJobLogAsync(id, after, 10_000, cancellationToken);
            foreach (var line in page.Lines ?? [])
            {
                yield return line;
            }

            after = page.LastSequence;
            if (page.Status is "succeeded" or "failed" or "cancelled" && (page.Lines?.Count ?? 0) == 0)
            {
                yield break;
            }
        }
    }

    /// <summary>Waits until a job ends and returns it.</summary>
    public async Task<JobDto> WaitForJobAsync(long id, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var job = await GetJobAsync(id, cancellationToken);
            if (job.Status is "succeeded" or "failed" or "cancelled")
            {
                return job;
            }

            await Task.Delay(pollInterval ?? TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }
}
