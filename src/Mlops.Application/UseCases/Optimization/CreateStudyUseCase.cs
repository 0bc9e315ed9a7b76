using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;
using Mlops.Domain.Optimization.Pruners;
using Mlops.Domain.Optimization.Samplers;
using Mlops.Domain.Optimization.Space;

namespace Mlops.Application.UseCases.Optimization;

/// <summary>What a user gives to create a study for an external (ask/tell) objective.</summary>
public sealed record CreateStudyRequest(
    string Name,
    IReadOnlyList<StudyDirection> Directions,
    SearchSpace Space,
    string? Sampler = null,
    long Seed = 0,
    string? Pruner = null,
    IReadOnlyDictionary<string, double>? PrunerOptions = null,
    bool LoadIfExists = false);

/// <summary>Creates an ask/tell study (or returns the existing one of that name when asked to and it matches).</summary>
public sealed class CreateStudyUseCase(IStudyStore store, TimeProvider clock)
{
    public async Task<Study> CreateAsync(CreateStudyRequest request, CancellationToken cancellationToken)
    {
        StudyRules.CheckName(request.Name);
        StudyRules.CheckDirections(request.Directions);
        var sampler = new SamplerSpec(SamplerCatalog.Normalize(request.Sampler), request.Seed);
        if (sampler.Name == "grid")
        {
            _ = GridSampler.GridSize(request.Space);
        }

        var pruner = PrunerCatalog.Validate(request.Pruner, request.PrunerOptions);
        if (request.LoadIfExists && await store.GetStudyAsync(request.Name, cancellationToken) is { } existing)
        {
            return Matching(existing, request);
        }

        try
        {
            return await store.CreateStudyAsync(new NewStudy(request.Name, request.Directions, request.Space, sampler, pruner), clock.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        }
        catch (MlopsException e) when (e.Kind == ErrorKind.AlreadyExists && request.LoadIfExists)
        {
            // A concurrent create of the same name won the race; load-if-exists callers get that study.
            return Matching((await store.GetStudyAsync(request.Name, cancellationToken))!, request);
        }
    }

    private static Study Matching(Study existing, CreateStudyRequest request) =>
        SearchSpaceJson.Serialize(existing.Space) == SearchSpaceJson.Serialize(request.Space) && existing.Directions.SequenceEqual(request.Directions)
            ? existing
            : throw MlopsException.AlreadyExists($"Study '{request.Name}' exists with a different search space or directions.");
}
