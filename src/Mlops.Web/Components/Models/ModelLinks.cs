using System.Globalization;

namespace Mlops.Web.Components.Models;

/// <summary>URLs of the registry pages, escaped once here.</summary>
public static class ModelLinks
{
    public static string Model(string name) => "/models/" + Uri.EscapeDataString(name);

    public static string Version(string name, long version) => Model(name) + "/versions/" + version.ToString(CultureInfo.InvariantCulture);
}
