using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mlops.Domain.Common;
using Mlops.Domain.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Mlops.Infrastructure.Models;

/// <summary>
/// Reads and writes the MLmodel descriptor in MLflow's layout, plus our own <c>mlops</c> section (file hashes and
/// signature column notes; MLflow keeps unknown top-level keys as attributes, but rejects unknown keys inside a column spec).
/// The YAML is read into a representation model and picked apart by hand: no type named by the file is ever
/// instantiated. Every way a file can be malformed ends as an InvalidArgument that starts with "MLmodel:".
/// </summary>
public static partial class MlModelFile
{
    /// <summary>Far above any real MLmodel (a few KB); stops a hostile file before the parser sees it.</summary>
    public const int MaxLength = 1024 * 1024;

    // Nesting beyond this is not an MLmodel; the limit also keeps the representation model's recursive loader safe.
    private const int MaxDepth = 32;

    // Bounds the work of flattening flavors, since YAML aliases can make a small file describe a huge tree.
    private const int MaxFlavorEntries = 10_000;

    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.ffffff";

    private static readonly string[] s_timeFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-ddTHH:mm:ss.FFFFFFFK",
    ];

    // Words a YAML 1.1 reader (PyYAML, which MLflow uses) would turn into a bool or null if written plain.
    private static readonly HashSet<string> s_reservedWords = new(
        ["true", "false", "yes", "no", "on", "off", "null", "y", "n"],
        StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-/]*( [A-Za-z0-9_.\-/]+)*\z")]
    private static partial Regex PlainSafe();

    [GeneratedRegex("^[0-9a-f]{64}\\z")]
    private static partial Regex Sha256Hex();

    public static string Write(ModelDescriptor descriptor)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };

        // No line folding: MLflow folds long signature strings, but one line per key is easier to diff and reads the same.
        var emitter = new Emitter(text, 2, int.MaxValue / 2);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));

        // Keys in sorted order, as PyYAML's safe_dump writes them.
        if (descriptor.ArtifactPath is not null)
        {
            EmitPair(emitter, "artifact_path", descriptor.ArtifactPath);
        }

        emitter.Emit(Scalar("flavors"));
        BeginMapping(emitter);
        foreach (var flavor in descriptor.Flavors.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            emitter.Emit(Scalar(flavor.Name));
            BeginMapping(emitter);
            foreach (var (key, value) in flavor.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                EmitPair(emitter, key, value);
            }

            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new MappingEnd());

        emitter.Emit(Scalar("mlops"));
        BeginMapping(emitter);
        emitter.Emit(Scalar("file_hashes"));
        BeginMapping(emitter);
        foreach (var (path, hash) in descriptor.FileHashes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            EmitPair(emitter, path, hash);
        }

        emitter.Emit(new MappingEnd());
        if (descriptor.Signature is { } withNotes && withNotes.Inputs.Concat(withNotes.Outputs).Any(c => c.Note is not null))
        {
            emitter.Emit(Scalar("signature_notes"));
            BeginMapping(emitter);
            EmitNotes(emitter, "inputs", withNotes.Inputs);
            EmitNotes(emitter, "outputs", withNotes.Outputs);
            emitter.Emit(new MappingEnd());
        }

        emitter.Emit(new MappingEnd());

        if (descriptor.ModelUuid is not null)
        {
            EmitPair(emitter, "model_uuid", descriptor.ModelUuid);
        }

        if (descriptor.RunId is not null)
        {
            EmitPair(emitter, "run_id", descriptor.RunId);
        }

        if (descriptor.InputExampleFile is not null)
        {
            // Our packagers always save the example as a pandas split-oriented frame, which MLflow's loader reads.
            emitter.Emit(Scalar("saved_input_example_info"));
            BeginMapping(emitter);
            EmitPair(emitter, "artifact_path", descriptor.InputExampleFile);
            EmitPair(emitter, "pandas_orient", "split");
            EmitPair(emitter, "type", "dataframe");
            emitter.Emit(new MappingEnd());
        }

        if (descriptor.Signature is not null)
        {
            emitter.Emit(Scalar("signature"));
            BeginMapping(emitter);
            EmitPair(emitter, "inputs", SignatureJson(descriptor.Signature.Inputs));
            EmitPair(emitter, "outputs", SignatureJson(descriptor.Signature.Outputs));
            emitter.Emit(new MappingEnd());
        }

        EmitPair(emitter, "utc_time_created", descriptor.UtcTimeCreated.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));

        emitter.Emit(new MappingEnd());
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    public static ModelDescriptor Read(string yaml)
    {
        if (yaml.Length > MaxLength)
        {
            throw Invalid($"the file is larger than {MaxLength} characters");
        }

        YamlMappingNode root;
        try
        {
            CheckDepth(yaml);
            var stream = new YamlStream();
            stream.Load(new Parser(new StringReader(yaml)));
            if (stream.Documents.Count != 1)
            {
                throw Invalid($"expected one YAML document, found {stream.Documents.Count}");
            }

            root = stream.Documents[0].RootNode as YamlMappingNode ?? throw Invalid("the top level is not a mapping");
        }
        catch (YamlException e)
        {
            throw Invalid($"malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Duplicate keys and similar structural errors surface from the representation model as these.
            throw Invalid($"malformed YAML: {e.Message}");
        }

        var created = ScalarAt(root, "utc_time_created") ?? throw Invalid("utc_time_created is missing");
        if (!DateTime.TryParseExact(created, s_timeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var createdUtc))
        {
            throw Invalid($"utc_time_created '{Shorten(created)}' is not a time such as 2024-01-31 12:34:56.789012");
        }

        return new ModelDescriptor
        {
            ArtifactPath = ScalarAt(root, "artifact_path"),
            RunId = ScalarAt(root, "run_id"),
            ModelUuid = ScalarAt(root, "model_uuid"),
            UtcTimeCreated = new DateTimeOffset(createdUtc, TimeSpan.Zero),
            Flavors = ReadFlavors(root),
            Signature = ReadSignature(root) is { } signature ? WithNotes(root, signature) : null,
            InputExampleFile = MappingAt(root, "saved_input_example_info") is { } example ? ScalarAt(example, "artifact_path", "saved_input_example_info.") : null,
            FileHashes = ReadFileHashes(root),
        };
    }

    private static void CheckDepth(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw Invalid($"nesting deeper than {MaxDepth} levels");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static Dictionary<string, ModelFlavor> ReadFlavors(YamlMappingNode root)
    {
        var node = MappingAt(root, "flavors") ?? throw Invalid("flavors is missing");
        var flavors = new Dictionary<string, ModelFlavor>(StringComparer.Ordinal);
        var budget = MaxFlavorEntries;
        foreach (var (keyNode, value) in node.Children)
        {
            var name = KeyOf(keyNode, "flavors");
            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(value, "", properties, ref budget);
            flavors[name] = new ModelFlavor(name, properties);
        }

        if (flavors.Count == 0)
        {
            throw Invalid("flavors is empty");
        }

        return flavors;
    }

    private static void Flatten(YamlNode node, string prefix, Dictionary<string, string> properties, ref int budget)
    {
        if (--budget < 0)
        {
            throw Invalid("the flavors section is too large");
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                if (ValueOf(scalar) is { } value && prefix.Length > 0)
                {
                    properties[prefix[..^1]] = value;
                }

                break;
            case YamlMappingNode mapping:
                foreach (var (key, child) in mapping.Children)
                {
                    // A nested map with a non-scalar key has no sensible flat name; it is left out.
                    if (key is YamlScalarNode { Value: { } name })
                    {
                        Flatten(child, prefix + name + ".", properties, ref budget);
                    }
                }

                break;
            case YamlSequenceNode sequence:
                var index = 0;
                foreach (var child in sequence.Children)
                {
                    Flatten(child, prefix + index.ToString(CultureInfo.InvariantCulture) + ".", properties, ref budget);
                    index++;
                }

                break;
        }
    }

    private static ModelSignature? ReadSignature(YamlMappingNode root)
    {
        if (MappingAt(root, "signature") is not { } signature)
        {
            return null;
        }

        var inputs = ScalarAt(signature, "inputs", "signature.");
        var outputs = ScalarAt(signature, "outputs", "signature.");
        return inputs is null && outputs is null
            ? null
            : new ModelSignature(ReadColumns(inputs, "signature.inputs"), ReadColumns(outputs, "signature.outputs"));
    }

    private static List<ColumnSpec> ReadColumns(string? json, string where)
    {
        var columns = new List<ColumnSpec>();
        if (json is null)
        {
            return columns;
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"{where} is not a JSON array");
            }

            foreach (var element in document.RootElement.EnumerateArray())
            {
                columns.Add(ReadColumn(element, where));
            }
        }
        catch (JsonException e)
        {
            throw Invalid($"{where} is not valid JSON: {e.Message}");
        }

        return columns;
    }

    private static ModelSignature WithNotes(YamlMappingNode root, ModelSignature signature)
    {
        if (MappingAt(root, "mlops") is not { } mlops || MappingAt(mlops, "signature_notes", "mlops.") is not { } notes)
        {
            return signature;
        }

        return new ModelSignature(
            ApplyNotes(signature.Inputs, MappingAt(notes, "inputs", "mlops.signature_notes.")),
            ApplyNotes(signature.Outputs, MappingAt(notes, "outputs", "mlops.signature_notes.")));
    }

    private static List<ColumnSpec> ApplyNotes(IReadOnlyList<ColumnSpec> columns, YamlMappingNode? notes) =>
        [.. columns.Select(c => notes is not null && c.Note is null && ScalarAt(notes, c.Name, "mlops.signature_notes.") is { } note ? c with { Note = note } : c)];

    private static ColumnSpec ReadColumn(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{where} has an entry that is not a JSON object");
        }

        string? name = null;
        string? type = null;
        var required = true;
        var notes = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "name" when property.Value.ValueKind == JsonValueKind.String:
                    name = property.Value.GetString();
                    break;
                case "type" when property.Value.ValueKind == JsonValueKind.String:
                    type = property.Value.GetString();
                    break;
                case "required" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    required = property.Value.GetBoolean();
                    break;

                // MLflow before 2.10 wrote "optional" instead of "required".
                case "optional" when property.Value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    required = !property.Value.GetBoolean();
                    break;
                default:
                    // Tensor specs, array item types and the like are kept verbatim so nothing MLflow wrote is lost.
                    notes.Add($"{property.Name}: {property.Value.GetRawText()}");
                    break;
            }
        }

        return type is null
            ? throw Invalid($"{where} has an entry without a string \"type\"")
            : new ColumnSpec(name ?? "", type, required, notes.Count == 0 ? null : string.Join("; ", notes));
    }

    private static Dictionary<string, string> ReadFileHashes(YamlMappingNode root)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (MappingAt(root, "mlops") is not { } mlops || MappingAt(mlops, "file_hashes", "mlops.") is not { } node)
        {
            return hashes;
        }

        foreach (var (keyNode, valueNode) in node.Children)
        {
            var path = KeyOf(keyNode, "mlops.file_hashes");
            var hash = valueNode is YamlScalarNode scalar ? ValueOf(scalar)?.ToLowerInvariant() : null;
            if (hash is null || !Sha256Hex().IsMatch(hash))
            {
                throw Invalid($"mlops.file_hashes: the hash of '{Shorten(path)}' is not a sha256 hex digest");
            }

            hashes[path] = hash;
        }

        return hashes;
    }

    private static string? ScalarAt(YamlMappingNode map, string key, string where = "")
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node is YamlScalarNode scalar ? ValueOf(scalar) : throw Invalid($"{where}{key} must be a string");
    }

    private static YamlMappingNode? MappingAt(YamlMappingNode map, string key, string where = "")
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node switch
        {
            YamlMappingNode mapping => mapping,
            YamlScalarNode scalar when ValueOf(scalar) is null => null,
            _ => throw Invalid($"{where}{key} must be a mapping"),
        };
    }

    private static string KeyOf(YamlNode key, string where) =>
        key is YamlScalarNode scalar && ValueOf(scalar) is { Length: > 0 } value ? value : throw Invalid($"{where} has a key that is not a string");

    /// <summary>The scalar's text, or null for YAML null (a plain <c>null</c>, <c>~</c> or nothing).</summary>
    private static string? ValueOf(YamlScalarNode scalar) =>
        scalar.Style == ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL" ? null : scalar.Value ?? "";

    private static string SignatureJson(IReadOnlyList<ColumnSpec> columns)
    {
        // Key order and separators follow MLflow's ColSpec.to_dict() passed through json.dumps.
        var json = new StringBuilder("[");
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            json.Append(i == 0 ? "{" : ", {").Append("\"type\": ");
            PythonJson.AppendString(json, column.Type);
            if (column.Name.Length > 0)
            {
                // MLflow leaves the name out of an unnamed column, and reading gives such a column the name "".
                json.Append(", \"name\": ");
                PythonJson.AppendString(json, column.Name);
            }

            json.Append(", \"required\": ").Append(column.Required ? "true" : "false").Append('}');
        }

        return json.Append(']').ToString();
    }

    private static void EmitNotes(Emitter emitter, string key, IReadOnlyList<ColumnSpec> columns)
    {
        emitter.Emit(Scalar(key));
        BeginMapping(emitter);

        // Keyed by column name; a name that repeats keeps its first note, as a mapping cannot repeat a key.
        foreach (var column in columns.Where(c => c.Note is not null).DistinctBy(c => c.Name).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            EmitPair(emitter, column.Name, column.Note!);
        }

        emitter.Emit(new MappingEnd());
    }

    private static void BeginMapping(Emitter emitter) => emitter.Emit(new MappingStart(null, null, isImplicit: true, MappingStyle.Block));

    private static void EmitPair(Emitter emitter, string key, string value)
    {
        emitter.Emit(Scalar(key));
        emitter.Emit(Scalar(value));
    }

    private static Scalar Scalar(string value)
    {
        // Plain only when PyYAML would read it back as the same string; otherwise quote, as PyYAML does.
        var style = value.Any(c => char.IsControl(c) || char.IsSurrogate(c)) ? ScalarStyle.DoubleQuoted
            : PlainSafe().IsMatch(value) && !s_reservedWords.Contains(value) ? ScalarStyle.Plain
            : ScalarStyle.SingleQuoted;
        return new Scalar(null, null, value, style, isPlainImplicit: true, isQuotedImplicit: true);
    }

    private static MlopsException Invalid(string why) => MlopsException.Invalid($"MLmodel: {why.TrimEnd('.')}.");

    private static string Shorten(string value) => value.Length > 100 ? value[..100] + "..." : value;
}
