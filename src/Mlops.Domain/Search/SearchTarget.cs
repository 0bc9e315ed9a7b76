namespace Mlops.Domain.Search;

/// <summary>
/// What a filter may name for one kind of searched entity: which prefixes are allowed and which
/// attributes exist (with their aliases and types). Runs, experiments and registered models each have one.
/// </summary>
public sealed class SearchTarget
{
    private readonly Dictionary<string, (string Canonical, AttributeType Type)> _attributes;

    private SearchTarget(string entityName, IReadOnlySet<EntityKind> kinds, Dictionary<string, (string, AttributeType)> attributes)
    {
        EntityName = entityName;
        Kinds = kinds;
        _attributes = attributes;
    }

    public string EntityName { get; }

    public IReadOnlySet<EntityKind> Kinds { get; }

    public IEnumerable<string> AttributeNames => _attributes.Keys;

    public static SearchTarget Runs { get; } = new(
        "run",
        new HashSet<EntityKind> { EntityKind.Metric, EntityKind.Param, EntityKind.Tag, EntityKind.Attribute, EntityKind.Dataset },
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["run_id"] = ("run_id", AttributeType.String),
            ["run_uuid"] = ("run_id", AttributeType.String),
            ["run_name"] = ("run_name", AttributeType.String),
            ["status"] = ("status", AttributeType.String),
            ["user_id"] = ("user_id", AttributeType.String),
            ["artifact_uri"] = ("artifact_uri", AttributeType.String),
            ["lifecycle_stage"] = ("lifecycle_stage", AttributeType.String),
            ["start_time"] = ("start_time", AttributeType.Number),
            ["created"] = ("start_time", AttributeType.Number),
            ["end_time"] = ("end_time", AttributeType.Number),
            ["experiment_id"] = ("experiment_id", AttributeType.String),
        });

    public static SearchTarget Experiments { get; } = new(
        "experiment",
        new HashSet<EntityKind> { EntityKind.Tag, EntityKind.Attribute },
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["name"] = ("name", AttributeType.String),
            ["experiment_id"] = ("experiment_id", AttributeType.String),
            ["artifact_location"] = ("artifact_location", AttributeType.String),
            ["lifecycle_stage"] = ("lifecycle_stage", AttributeType.String),
            ["creation_time"] = ("creation_time", AttributeType.Number),
            ["last_update_time"] = ("last_update_time", AttributeType.Number),
        });

    public static SearchTarget RegisteredModels { get; } = new(
        "registered model",
        new HashSet<EntityKind> { EntityKind.Tag, EntityKind.Attribute },
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["name"] = ("name", AttributeType.String),
            ["creation_timestamp"] = ("creation_timestamp", AttributeType.Number),
            ["last_updated_timestamp"] = ("last_updated_timestamp", AttributeType.Number),
        });

    public static SearchTarget ModelVersions { get; } = new(
        "model version",
        new HashSet<EntityKind> { EntityKind.Tag, EntityKind.Attribute },
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["name"] = ("name", AttributeType.String),
            ["version_number"] = ("version_number", AttributeType.Number),
            ["run_id"] = ("run_id", AttributeType.String),
            ["source_path"] = ("source_path", AttributeType.String),
            ["current_stage"] = ("current_stage", AttributeType.String),
            ["creation_timestamp"] = ("creation_timestamp", AttributeType.Number),
            ["last_updated_timestamp"] = ("last_updated_timestamp", AttributeType.Number),
        });

    public static SearchTarget DatasetFields { get; } = new(
        "dataset",
        new HashSet<EntityKind>(),
        new(StringComparer.OrdinalIgnoreCase)
        {
            ["name"] = ("name", AttributeType.String),
            ["digest"] = ("digest", AttributeType.String),
            ["context"] = ("context", AttributeType.String),
        });

    /// <summary>Creates a target for another entity (the registry adds its own in a later slice).</summary>
    public static SearchTarget Create(string entityName, IEnumerable<EntityKind> kinds, IEnumerable<(string Name, string Canonical, AttributeType Type)> attributes) =>
        new(entityName, kinds.ToHashSet(), attributes.ToDictionary(a => a.Name, a => (a.Canonical, a.Type), StringComparer.OrdinalIgnoreCase));

    public bool TryGetAttribute(string name, out string canonical, out AttributeType type)
    {
        if (_attributes.TryGetValue(name, out var attribute))
        {
            canonical = attribute.Canonical;
            type = attribute.Type;
            return true;
        }

        canonical = name;
        type = AttributeType.String;
        return false;
    }
}
