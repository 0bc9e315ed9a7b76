using Microsoft.Extensions.DependencyInjection;

namespace Mlops.Worker;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>Runs a job worker inside the host (the server's embedded worker, or `mlops worker`).</summary>
    public static IServiceCollection AddMlopsWorker(this IServiceCollection services, WorkerOptions options)
    {
        services.AddSingleton(options);
        services.AddHostedService<JobWorker>();
        return services;
    }
}
