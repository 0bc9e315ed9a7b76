namespace Mlops.Domain.Models;

/// <summary>The forms a <see cref="ModelUri"/> can take.</summary>
public enum ModelUriKind
{
    /// <summary><c>models:/&lt;name&gt;/&lt;version&gt;</c></summary>
    Version,

    /// <summary><c>models:/&lt;name&gt;@&lt;alias&gt;</c></summary>
    Alias,

    /// <summary><c>models:/&lt;name&gt;/&lt;stage&gt;</c>: the latest version in that stage.</summary>
    Stage,

    /// <summary><c>models:/&lt;name&gt;/latest</c>: the highest version number.</summary>
    Latest,

    /// <summary><c>runs:/&lt;run_id&gt;/&lt;path&gt;</c>: a folder of a run's artifacts.</summary>
    Run,
}
