using Mlops.Domain.Search;

namespace Mlops.Infrastructure.Persistence;

/// <summary>Where each filterable thing of an entity lives in the schema (shared by both dialects).</summary>
public sealed class SqlEntityMap
{
    private readonly Dictionary<string, string> _attributes;
    private readonly HashSet<string> _integerAttributes;

    private SqlEntityMap(string ownerAlias, string ownerColumn, Dictionary<string, string> attributes, HashSet<string> integerAttributes, string tagTable)
    {
        OwnerAlias = ownerAlias;
        OwnerColumn = ownerColumn;
        _attributes = attributes;
        _integerAttributes = integerAttributes;
        TagTable = tagTable;
    }

    public string OwnerAlias { get; }

    public string OwnerColumn { get; }

    public string TagTable { get; }

    public static SqlEntityMap Runs { get; } = new(
        "r",
        "run_pk",
        new()
        {
            ["run_id"] = "r.run_uuid",
            ["run_name"] = "r.name",
            ["status"] = "r.status",
            ["user_id"] = "r.user_id",
            ["artifact_uri"] = "r.artifact_uri",
            ["lifecycle_stage"] = "r.lifecycle_stage",
            ["start_time"] = "r.start_time",
            ["end_time"] = "r.end_time",
            ["experiment_id"] = "r.experiment_id",
        },
        ["start_time", "end_time", "experiment_id"],
        "tags");

    public static SqlEntityMap Experiments { get; } = new(
        "e",
        "experiment_id",
        new()
        {
            ["name"] = "e.name",
            ["experiment_id"] = "e.experiment_id",
            ["artifact_location"] = "e.artifact_location",
            ["lifecycle_stage"] = "e.lifecycle_stage",
            ["creation_time"] = "e.creation_time",
            ["last_update_time"] = "e.last_update_time",
        },
        ["creation_time", "last_update_time", "experiment_id"],
        "experiment_tags");

    public static SqlEntityMap RegisteredModels { get; } = new(
        "m",
        "model_pk",
        new()
        {
            ["name"] = "m.name",
            ["creation_timestamp"] = "m.creation_time",
            ["last_updated_timestamp"] = "m.last_updated_time",
        },
        ["creation_timestamp", "last_updated_timestamp"],
        "registered_model_tags");

    /// <summary>Model versions are searched joined to their model (alias m) so the model name is a column.</summary>
    public static SqlEntityMap ModelVersions { get; } = new(
        "v",
        "mv_pk",
        new()
        {
            ["name"] = "m.name",
            ["version_number"] = "v.version",
            ["run_id"] = "v.run_id",
            ["source_path"] = "v.source",
            ["current_stage"] = "v.current_stage",
            ["creation_timestamp"] = "v.creation_time",
            ["last_updated_timestamp"] = "v.last_updated_time",
        },
        ["version_number", "creation_timestamp", "last_updated_timestamp"],
        "model_version_tags");

    public string AttributeColumn(string key) => _attributes[key];

    public bool IsIntegerAttribute(string key) => _integerAttributes.Contains(key);

    public (string Table, string KeyColumn, string ValueColumn, string? Extra) KeyValueSource(EntityKind entity) => entity switch
    {
        EntityKind.Metric => ("latest_metrics", "key", "value", "x.is_nan = 0"),
        EntityKind.Param => ("params", "key", "value", null),
        _ => (TagTable, "key", "value", null),
    };

    /// <summary>The FROM/WHERE head joining a run to its dataset inputs, and the column for a dataset key.</summary>
    public static (string FromClause, string Column) DatasetSource(string key)
    {
        const string from = "FROM inputs i JOIN datasets d ON d.dataset_pk = i.dataset_pk WHERE i.run_pk = r.run_pk";
        return key switch
        {
            "name" => (from, "d.name"),
            "digest" => (from, "d.digest"),
            _ => ("FROM inputs i JOIN input_tags it ON it.run_pk = i.run_pk AND it.dataset_pk = i.dataset_pk AND it.key = 'mlflow.data.context' WHERE i.run_pk = r.run_pk", "it.value"),
        };
    }
}
