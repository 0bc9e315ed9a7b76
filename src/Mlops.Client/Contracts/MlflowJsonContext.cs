using System.Text.Json.Serialization;

namespace Mlops.Client.Contracts;

/// <summary>
/// Source-generated JSON for the MLflow wire format: snake_case names, int64 as numbers, NaN and ±Infinity
/// as the strings "NaN"/"Infinity"/"-Infinity" (proto3 JSON), numbers also accepted as strings, unset fields omitted.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(CreateExperimentRequest))]
[JsonSerializable(typeof(CreateExperimentResponse))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(ExperimentIdRequest))]
[JsonSerializable(typeof(UpdateExperimentRequest))]
[JsonSerializable(typeof(SetExperimentTagRequest))]
[JsonSerializable(typeof(SearchExperimentsRequest))]
[JsonSerializable(typeof(SearchExperimentsResponse))]
[JsonSerializable(typeof(EmptyResponse))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunResponse))]
[JsonSerializable(typeof(UpdateRunRequest))]
[JsonSerializable(typeof(UpdateRunResponse))]
[JsonSerializable(typeof(RunIdRequest))]
[JsonSerializable(typeof(LogMetricRequest))]
[JsonSerializable(typeof(KeyValueRequest))]
[JsonSerializable(typeof(DeleteTagRequest))]
[JsonSerializable(typeof(LogBatchRequest))]
[JsonSerializable(typeof(LogModelRequest))]
[JsonSerializable(typeof(LogInputsRequest))]
[JsonSerializable(typeof(SearchRunsRequest))]
[JsonSerializable(typeof(SearchRunsResponse))]
[JsonSerializable(typeof(MetricHistoryResponse))]
[JsonSerializable(typeof(ListArtifactsResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(RegistryRequest))]
[JsonSerializable(typeof(RegisteredModelResponse))]
[JsonSerializable(typeof(SearchRegisteredModelsResponse))]
[JsonSerializable(typeof(ModelVersionResponse))]
[JsonSerializable(typeof(ModelVersionsResponse))]
[JsonSerializable(typeof(DownloadUriResponse))]
[JsonSerializable(typeof(ModelLineageResponse))]
[JsonSerializable(typeof(ResolvedModelResponse))]
[JsonSerializable(typeof(RegistryAuditResponse))]
[JsonSerializable(typeof(SubmitJobRequest))]
[JsonSerializable(typeof(TrainRequest))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(JobsResponse))]
[JsonSerializable(typeof(JobLogResponse))]
[JsonSerializable(typeof(CreateStudyRequest))]
[JsonSerializable(typeof(TuneRequest))]
[JsonSerializable(typeof(StudyResponse))]
[JsonSerializable(typeof(StudiesResponse))]
[JsonSerializable(typeof(TrialResponse))]
[JsonSerializable(typeof(TrialsResponse))]
[JsonSerializable(typeof(ReportRequest))]
[JsonSerializable(typeof(ReportResponse))]
[JsonSerializable(typeof(TellRequest))]
[JsonSerializable(typeof(ImportancesResponse))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(ShadowRequest))]
[JsonSerializable(typeof(ScaleRequest))]
[JsonSerializable(typeof(EndpointSettingsRequest))]
[JsonSerializable(typeof(PredictionsResponse))]
[JsonSerializable(typeof(ShadowComparisonDto))]
[JsonSerializable(typeof(CanaryRequest))]
[JsonSerializable(typeof(EndpointChangeRequest))]
[JsonSerializable(typeof(EndpointResponse))]
[JsonSerializable(typeof(EndpointsResponse))]
public sealed partial class MlflowJsonContext : JsonSerializerContext;
