using Mlops.Domain.Deployments;
using Mlops.Web.Components.Models;

namespace Mlops.Web.Components.Deployments;

public static class DeploymentLinks
{
    public static string Endpoint(string name) => "/deployments/" + Uri.EscapeDataString(name);

    /// <summary>The registry page of the version a revision serves, when its URI resolved to one.</summary>
    public static string? Model(Revision revision) =>
        revision.ResolvedModel is { } model ? ModelLinks.Version(model.Name, model.Version) : null;
}
