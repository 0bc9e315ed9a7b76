using Microsoft.Extensions.DependencyInjection;
using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Infrastructure.Artifacts;
using Mlops.Infrastructure.Persistence;
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
                services.AddSingleton<IMetricSeriesStore, SqliteMetricSeriesStore>();
                break;
            default:
                throw MlopsException.Invalid("The PostgreSQL backend is not available in this version yet; use sqlite:///<path>.");
        }

        services.AddSingleton<IArtifactStore>(_ => new LocalArtifactStore(artifactRoot));
        services.AddSingleton<IModelPackageInspector, Models.ArtifactModelPackageInspector>();
        services.AddSingleton<Learning.Training.MlNetTrainingAdapter>();
        services.AddSingleton<ITrainer>(s => s.GetRequiredService<Learning.Training.MlNetTrainingAdapter>());
        services.AddSingleton<ITrainingSpecReader>(s => s.GetRequiredService<Learning.Training.MlNetTrainingAdapter>());
        services.AddSingleton<ITuningSpecReader, Training.TuningSpecParser>();
        services.AddSingleton<IParameterImportance, Learning.Optimization.ForestParameterImportance>();
        services.AddSingleton<IModelRuntime, Learning.Serving.MlNetModelRuntime>();
        return services;
    }
}
