using System.Text.Json.Serialization;

namespace Mlops.Infrastructure.Persistence.Sqlite;

/// <summary>JSON arrays bound as one parameter and expanded with json_each, so an IN list needs no dynamic SQL.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
internal sealed partial class SqliteJson : JsonSerializerContext;
