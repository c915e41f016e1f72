using System.Reflection;
using AvroSchema = Avro.Schema;
using RecordSchema = Avro.RecordSchema;

namespace Streaming.Contracts;

/// <summary>
/// The Avro schemas of every Kafka record, read from the <c>schemas/*.avsc</c> files that are embedded
/// into this assembly at build time, so that the files stay the single source of truth.
/// </summary>
public static class SchemaCatalog
{
    private const string ResourcePrefix = "schemas/";

    private static readonly Lazy<List<SchemaFile>> Files = new(LoadFiles);

    /// <summary>Every schema file, ordered by file name: the order in which schema ids are handed out.</summary>
    public static IReadOnlyList<SchemaFile> All => Files.Value;

    /// <summary>The top-level record schema whose full name is <paramref name="fullName"/>.</summary>
    public static RecordSchema Record(string fullName) =>
        All.Select(f => f.Schema).OfType<RecordSchema>().FirstOrDefault(s => s.Fullname == fullName)
        ?? throw new InvalidOperationException($"No file in schemas/ defines the record {fullName}.");

    /// <summary>
    /// The schema of a record nested in a field of <paramref name="parent"/>: the field's type, its
    /// non-null branch, or its items (an array of records, possibly nullable).
    /// </summary>
    public static RecordSchema NestedRecord(RecordSchema parent, string fieldName) =>
        parent.TryGetField(fieldName, out var field) && Unwrap(field.Schema) is RecordSchema nested
            ? nested
            : throw new InvalidOperationException($"{parent.Fullname}.{fieldName} is not a record field.");

    private static AvroSchema Unwrap(AvroSchema schema) => schema switch
    {
        global::Avro.UnionSchema union when union.Schemas.Count(s => s.Tag != AvroSchema.Type.Null) == 1 =>
            Unwrap(union.Schemas.Single(s => s.Tag != AvroSchema.Type.Null)),
        global::Avro.ArraySchema array => Unwrap(array.ItemSchema),
        _ => schema,
    };

    private static List<SchemaFile> LoadFiles()
    {
        var assembly = typeof(SchemaCatalog).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".avsc", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => Load(assembly, n))
            .ToList();
    }

    private static SchemaFile Load(Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)!;
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return new SchemaFile(resourceName[ResourcePrefix.Length..], text, AvroSchema.Parse(text));
    }
}

/// <summary>One <c>.avsc</c> file: its name, its text and the parsed schema.</summary>
public sealed record SchemaFile(string FileName, string Text, AvroSchema Schema);
