using Microsoft.Extensions.DependencyInjection;
using Mlops.Application.Jobs;
using Mlops.Application.UseCases.Artifacts;
using Mlops.Application.UseCases.Jobs;
using Mlops.Application.UseCases.Optimization;
using Mlops.Application.UseCases.Registry;
using Mlops.Application.UseCases.Training;
using Mlops.Application.UseCases.Tracking;

namespace Mlops.Application;

public static class ApplicationServiceCollectionExtensions
{
    /// <summary>Registers every use case; each is stateless and safe to share.</summary>
    public static IServiceCollection AddMlopsApplication(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CreateExperimentUseCase>();
        services.AddSingleton<UpdateExperimentUseCase>();
        services.AddSingleton<GetExperimentUseCase>();
        services.AddSingleton<CreateRunUseCase>();
        services.AddSingleton<UpdateRunUseCase>();
        services.AddSingleton<LogBatchUseCase>();
        services.AddSingleton<GetRunUseCase>();
        services.AddSingleton<ArtifactsUseCase>();
        services.AddSingleton<CreateModelUseCase>();
        services.AddSingleton<RegisterModelVersionUseCase>();
        services.AddSingleton<UpdateModelUseCase>();
        services.AddSingleton<GetModelUseCase>();
        services.AddSingleton<IdempotentRegistration>();
        services.AddSingleton<ResolveModelUriUseCase>();
        services.AddSingleton<IJobHandler, NoopJobHandler>();
        services.AddSingleton<IJobHandler, TrainingJobHandler>();
        services.AddSingleton<TrainModelUseCase>();
        services.AddSingleton<ManageJobsUseCase>();
        services.AddSingleton<CreateStudyUseCase>();
        services.AddSingleton<AskTrialUseCase>();
        services.AddSingleton<ReportTrialUseCase>();
        services.AddSingleton<TellTrialUseCase>();
        services.AddSingleton<GetStudyUseCase>();
        services.AddSingleton<TuneUseCase>();
        services.AddSingleton<StopStudyUseCase>();
        services.AddSingleton<Serving.EndpointHost>();
        services.AddSingleton<UseCases.Deployments.DeployModelUseCase>();
        services.AddSingleton<UseCases.Deployments.AliasFollower>();
        services.AddSingleton<UseCases.Deployments.PredictionLogQueries>();
        services.AddSingleton<Serving.PredictionLogWriter>();
        services.AddSingleton<Serving.ShadowMirror>();
        services.AddSingleton<Serving.PredictionLogRetention>();
        return services;
    }
}
