using Amazon.S3;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Artifacts;
using Mlops.Infrastructure.Persistence;
using Mlops.Infrastructure.Persistence.Postgres;
using Mlops.Infrastructure.Persistence.Sqlite;

namespace Mlops.Infrastructure;

public static class InfrastructureServiceCollectionExtensions
{
    /// <summary>Registers the stores chosen by the backend store URI (parsed once, here).</summary>
    public static IServiceCollection AddMlopsInfrastructure(this IServiceCollection services, MlopsStorageOptions options)
    {
        var storeUri = StoreUri.Parse(options.ResolveBackendStoreUri());
        var artifactRoot = options.ResolveArtifactsDestination();
        services.AddSingleton(options);
        services.AddSingleton(storeUri);
        switch (storeUri.Kind)
        {
            case StoreKind.Sqlite:
                services.AddSingleton(_ => new SqliteDatabase(storeUri.Target));
                services.AddSingleton<ITrackingStore, SqliteTrackingStore>();
                services.AddSingleton<IModelRegistryStore, SqliteModelRegistryStore>();
                services.AddSingleton<IJobQueue, Jobs.SqliteJobQueue>();
                services.AddSingleton<IStudyStore, SqliteStudyStore>();
                services.AddSingleton<IDeploymentStore, SqliteDeploymentStore>();
                services.AddSingleton<IPredictionLog, SqlitePredictionLog>();
                services.AddSingleton<IMetricSeriesStore, SqliteMetricSeriesStore>();
                break;
            case StoreKind.Postgres:
                // Converted here so a malformed URI fails at start-up, before anything is served.
                var connectionString = PostgresConnectionString.FromUri(storeUri.Target);
                services.AddSingleton(_ => new PostgresDatabase(connectionString));
                services.AddSingleton<ITrackingStore, PostgresTrackingStore>();
                services.AddSingleton<IModelRegistryStore, PostgresModelRegistryStore>();
                services.AddSingleton<IJobQueue, Jobs.PostgresJobQueue>();
                services.AddSingleton<IStudyStore, PostgresStudyStore>();
                services.AddSingleton<IDeploymentStore, PostgresDeploymentStore>();
                services.AddSingleton<IPredictionLog, PostgresPredictionLog>();
                services.AddSingleton<IMetricSeriesStore, PostgresMetricSeriesStore>();
                break;
            default:
                throw MlopsException.Invalid($"Unsupported backend store kind {storeUri.Kind}.");
        }

        AddArtifactStore(services, artifactRoot);
        services.AddSingleton<IModelPackageInspector, Models.ArtifactModelPackageInspector>();
        services.AddSingleton<Learning.Training.MlNetTrainingAdapter>();
        services.AddSingleton<ITrainer>(s => s.GetRequiredService<Learning.Training.MlNetTrainingAdapter>());
        services.AddSingleton<ITrainingSpecReader>(s => s.GetRequiredService<Learning.Training.MlNetTrainingAdapter>());
        services.AddSingleton<ITuningSpecReader, Training.TuningSpecParser>();
        services.AddSingleton<IParameterImportance, Learning.Optimization.ForestParameterImportance>();
        services.AddSingleton<IModelRuntime>(new Learning.Serving.ModelRuntime(Learning.Serving.ServingFlavor.Auto));
        return services;
    }

    /// <summary>A local folder, or an S3 bucket prefix with endpoint and credentials from the usual AWS settings.</summary>
    private static void AddArtifactStore(IServiceCollection services, string destination)
    {
        if (!S3ArtifactRoot.IsS3Uri(destination))
        {
            services.AddSingleton<IArtifactStore>(_ => new LocalArtifactStore(destination));
            return;
        }

        // Parsed now so that a malformed URI stops start-up; the client is a singleton the container disposes.
        var root = S3ArtifactRoot.Parse(destination);
        services.AddSingleton(_ => S3ClientFactory.FromEnvironment(destination));
        services.AddSingleton<IArtifactStore>(s =>
            new S3ArtifactStore(s.GetRequiredService<IAmazonS3>(), root, logger: s.GetService<ILogger<S3ArtifactStore>>()));
    }
}
