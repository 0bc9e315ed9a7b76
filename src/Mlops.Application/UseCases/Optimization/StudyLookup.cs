using Mlops.Application.Ports;
using Mlops.Domain.Common;
using Mlops.Domain.Optimization;

namespace Mlops.Application.UseCases.Optimization;

internal static class StudyLookup
{
    public static async Task<Study> RequireAsync(this IStudyStore store, string name, CancellationToken cancellationToken) =>
        await store.GetStudyAsync(name, cancellationToken) ?? throw MlopsException.NotFound($"No study named '{name}'.");
}
