namespace Mlops.Application.Jobs;

/// <summary>Runs one kind of job on a worker. Handlers are registered in DI and looked up by <see cref="Kind"/>.</summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>
    /// Does the work and returns the result (JSON or null). Throw <see cref="Domain.Common.MlopsException"/> with
    /// InvalidArgument for failures a retry cannot fix (a bad spec); anything else is retried with backoff.
    /// The token fires when the job is cancelled, its lease is lost or the worker shuts down.
    /// </summary>
    Task<string?> RunAsync(JobContext context, CancellationToken cancellationToken);
}
