using Mlops.Client.Contracts;

namespace Mlops.Client;

public sealed partial class MlopsClient
{
    /// <summary>Creates an experiment and returns its id.</summary>
    public async Task<string> CreateExperimentAsync(string name, string? artifactLocation = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        var response = await PostAsync("experiments/create", new CreateExperimentRequest { Name = name, ArtifactLocation = artifactLocation, Tags = ToPairs(tags) },
            s_json.CreateExperimentRequest, s_json.CreateExperimentResponse, cancellationToken);
        return response.ExperimentId;
    }

    /// <summary>Gets an experiment by id; throws <see cref="MlopsApiException"/> when it does not exist.</summary>
    public async Task<ExperimentDto> GetExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        (await GetAsync("experiments/get" + Query(("experiment_id", experimentId)), s_json.ExperimentResponse, cancellationToken)).Experiment!;

    /// <summary>Gets an experiment by name, or null when there is none.</summary>
    public async Task<ExperimentDto?> FindExperimentByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await GetAsync("experiments/get-by-name" + Query(("experiment_name", name)), s_json.ExperimentResponse, cancellationToken)).Experiment;
        }
        catch (MlopsApiException e) when (IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>Returns the id of the named experiment, creating it first when needed (MLflow's set_experiment).</summary>
    public async Task<string> GetOrCreateExperimentAsync(string name, CancellationToken cancellationToken = default)
    {
        if (await FindExperimentByNameAsync(name, cancellationToken) is { } existing)
        {
            return existing.ExperimentId;
        }

        try
        {
            return await CreateExperimentAsync(name, cancellationToken: cancellationToken);
        }
        catch (MlopsApiException e) when (e.ErrorCode == "RESOURCE_ALREADY_EXISTS")
        {
            return (await FindExperimentByNameAsync(name, cancellationToken))!.ExperimentId;
        }
    }

    /// <summary>Searches experiments with a filter such as <c>name LIKE 'vision%'</c>.</summary>
    public Task<SearchExperimentsResponse> SearchExperimentsAsync(string? filter = null, int? maxResults = null, string viewType = "ACTIVE_ONLY", IEnumerable<string>? orderBy = null, string? pageToken = null, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/search", new SearchExperimentsRequest { Filter = filter, MaxResults = maxResults, ViewType = viewType, OrderBy = orderBy?.ToList(), PageToken = pageToken },
            s_json.SearchExperimentsRequest, s_json.SearchExperimentsResponse, cancellationToken);

    /// <summary>Renames an experiment.</summary>
    public Task RenameExperimentAsync(string experimentId, string newName, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/update", new UpdateExperimentRequest { ExperimentId = experimentId, NewName = newName }, s_json.UpdateExperimentRequest, cancellationToken);

    /// <summary>Soft-deletes an experiment and its runs.</summary>
    public Task DeleteExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/delete", new ExperimentIdRequest { ExperimentId = experimentId }, s_json.ExperimentIdRequest, cancellationToken);

    /// <summary>Restores a deleted experiment and its runs.</summary>
    public Task RestoreExperimentAsync(string experimentId, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/restore", new ExperimentIdRequest { ExperimentId = experimentId }, s_json.ExperimentIdRequest, cancellationToken);

    /// <summary>Sets a tag on an experiment.</summary>
    public Task SetExperimentTagAsync(string experimentId, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("experiments/set-experiment-tag", new SetExperimentTagRequest { ExperimentId = experimentId, Key = key, Value = value }, s_json.SetExperimentTagRequest, cancellationToken);

    /// <summary>Starts a run (status RUNNING); pass <paramref name="parentRunId"/> for a nested run.</summary>
    public async Task<RunDto> CreateRunAsync(string experimentId, string? runName = null, IReadOnlyDictionary<string, string>? tags = null, string? parentRunId = null, CancellationToken cancellationToken = default)
    {
        var pairs = ToPairs(tags) ?? [];
        if (parentRunId is not null)
        {
            pairs.Add(new KeyValueDto("mlflow.parentRunId", parentRunId));
        }

        var request = new CreateRunRequest
        {
            ExperimentId = experimentId,
            RunName = runName,
            StartTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            UserId = Environment.UserName,
            Tags = pairs,
        };
        return (await PostAsync("runs/create", request, s_json.CreateRunRequest, s_json.RunResponse, cancellationToken)).Run!;
    }

    /// <summary>Gets a run with its latest metrics, params and tags.</summary>
    public async Task<RunDto> GetRunAsync(string runId, CancellationToken cancellationToken = default) =>
        (await GetAsync("runs/get" + Query(("run_id", runId)), s_json.RunResponse, cancellationToken)).Run!;

    /// <summary>Updates status, end time or name of a run.</summary>
    public async Task<RunInfoDto> UpdateRunAsync(string runId, string? status = null, long? endTime = null, string? runName = null, CancellationToken cancellationToken = default) =>
        (await PostAsync("runs/update", new UpdateRunRequest { RunId = runId, Status = status, EndTime = endTime, RunName = runName }, s_json.UpdateRunRequest, s_json.UpdateRunResponse, cancellationToken)).RunInfo!;

    /// <summary>Ends a run now with the given status (FINISHED, FAILED or KILLED).</summary>
    public Task<RunInfoDto> EndRunAsync(string runId, string status = "FINISHED", CancellationToken cancellationToken = default) =>
        UpdateRunAsync(runId, status, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), cancellationToken: cancellationToken);

    /// <summary>Soft-deletes a run.</summary>
    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken = default) =>
        PostAsync("runs/delete", new RunIdRequest { RunId = runId }, s_json.RunIdRequest, cancellationToken);

    /// <summary>Restores a deleted run.</summary>
    public Task RestoreRunAsync(string runId, CancellationToken cancellationToken = default) =>
        PostAsync("runs/restore", new RunIdRequest { RunId = runId }, s_json.RunIdRequest, cancellationToken);

    /// <summary>Logs one metric point (timestamp defaults to now). For a training loop prefer <see cref="CreateMetricLogger"/>.</summary>
    public Task LogMetricAsync(string runId, string key, double value, long step = 0, long? timestamp = null, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-metric", new LogMetricRequest { RunId = runId, Key = key, Value = value, Step = step, Timestamp = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, s_json.LogMetricRequest, cancellationToken);

    /// <summary>Logs a param; params are write-once (a different value for the same key is an error).</summary>
    public Task LogParamAsync(string runId, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-parameter", new KeyValueRequest { RunId = runId, Key = key, Value = value }, s_json.KeyValueRequest, cancellationToken);

    /// <summary>Sets (or replaces) a run tag.</summary>
    public Task SetTagAsync(string runId, string key, string value, CancellationToken cancellationToken = default) =>
        PostAsync("runs/set-tag", new KeyValueRequest { RunId = runId, Key = key, Value = value }, s_json.KeyValueRequest, cancellationToken);

    /// <summary>Deletes a run tag.</summary>
    public Task DeleteTagAsync(string runId, string key, CancellationToken cancellationToken = default) =>
        PostAsync("runs/delete-tag", new DeleteTagRequest { RunId = runId, Key = key }, s_json.DeleteTagRequest, cancellationToken);

    /// <summary>
    /// Logs metrics, params and tags; split into requests within MLflow's limits (each request is atomic,
    /// the whole call is not when it needs more than one request).
    /// </summary>
    public async Task LogBatchAsync(string runId, IEnumerable<MetricDto>? metrics = null, IReadOnlyDictionary<string, string>? parameters = null, IReadOnlyDictionary<string, string>? tags = null, CancellationToken cancellationToken = default)
    {
        var metricList = metrics?.ToList() ?? [];
        var paramList = ToPairs(parameters) ?? [];
        var tagList = ToPairs(tags) ?? [];
        var m = 0;
        var p = 0;
        var t = 0;
        do
        {
            var request = new LogBatchRequest
            {
                RunId = runId,
                Params = paramList.Skip(p).Take(MaxParamsPerBatch).ToList(),
                Tags = tagList.Skip(t).Take(MaxTagsPerBatch).ToList(),
            };
            p += request.Params.Count;
            t += request.Tags.Count;
            var room = MaxMetricsPerBatch - request.Params.Count - request.Tags.Count;
            request.Metrics = metricList.Skip(m).Take(room).ToList();
            m += request.Metrics.Count;
            await PostAsync("runs/log-batch", request, s_json.LogBatchRequest, cancellationToken);
        }
        while (m < metricList.Count || p < paramList.Count || t < tagList.Count);
    }

    /// <summary>Records the datasets a run used (name, digest, source), for lineage and search by dataset.</summary>
    public Task LogInputsAsync(string runId, IEnumerable<DatasetInputDto> datasets, CancellationToken cancellationToken = default) =>
        PostAsync("runs/log-inputs", new LogInputsRequest { RunId = runId, Datasets = datasets.ToList() }, s_json.LogInputsRequest, cancellationToken);

    /// <summary>Every point of one metric, in step order (all pages).</summary>
    public async Task<IReadOnlyList<MetricDto>> GetMetricHistoryAsync(string runId, string key, CancellationToken cancellationToken = default)
    {
        var points = new List<MetricDto>();
        await foreach (var point in PagesAsync(async token =>
        {
            var page = await GetAsync("metrics/get-history" + Query(("run_id", runId), ("metric_key", key), ("page_token", token)), s_json.MetricHistoryResponse, cancellationToken);
            return (page.Metrics, page.NextPageToken);
        }, cancellationToken))
        {
            points.Add(point);
        }

        return points;
    }

    /// <summary>Searches runs of some experiments with MLflow's filter grammar (plus OR and parentheses).</summary>
    public Task<SearchRunsResponse> SearchRunsAsync(IEnumerable<string> experimentIds, string? filter = null, IEnumerable<string>? orderBy = null, int? maxResults = null, string viewType = "ACTIVE_ONLY", string? pageToken = null, CancellationToken cancellationToken = default) =>
        PostAsync("runs/search", new SearchRunsRequest
        {
            ExperimentIds = experimentIds.ToList(),
            Filter = filter,
            OrderBy = orderBy?.ToList(),
            MaxResults = maxResults,
            RunViewType = viewType,
            PageToken = pageToken,
        }, s_json.SearchRunsRequest, s_json.SearchRunsResponse, cancellationToken);

    /// <summary>Every run that matches, fetching pages as the caller iterates.</summary>
    public IAsyncEnumerable<RunDto> SearchAllRunsAsync(IEnumerable<string> experimentIds, string? filter = null, IEnumerable<string>? orderBy = null, string viewType = "ACTIVE_ONLY", CancellationToken cancellationToken = default)
    {
        var ids = experimentIds.ToList();
        var order = orderBy?.ToList();
        return PagesAsync(async token =>
        {
            var page = await SearchRunsAsync(ids, filter, order, 1000, viewType, token, cancellationToken);
            return (page.Runs, page.NextPageToken);
        }, cancellationToken);
    }

    /// <summary>
    /// A logger that buffers metric points and sends them in background batches (by size and by time), so a
    /// training loop can log every step without waiting on the network. Dispose it to flush.
    /// </summary>
    public BufferedMetricLogger CreateMetricLogger(string runId, BufferedMetricLoggerOptions? options = null) =>
        new(this, runId, options ?? new BufferedMetricLoggerOptions());
}
