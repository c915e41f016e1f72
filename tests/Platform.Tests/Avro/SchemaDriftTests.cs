using System.Reflection;
using System.Text.Json;
using Avro;
using Avro.Specific;

namespace Streaming.Platform.Tests.Avro;

/// <summary>
/// schemas/*.avsc are the source of truth. These tests read the files from the repository (not the copies
/// embedded in the assembly) and fail when a C# record type no longer matches its schema.
/// </summary>
public sealed class SchemaDriftTests
{
    private static readonly Assembly Records = typeof(ShopifyWebhook).Assembly;

    public static TheoryData<string> SchemaFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(SchemasFolder(), "*.avsc").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public void Every_record_in_a_schema_file_has_a_matching_CSharp_type(string file)
    {
        var schema = (RecordSchema)Schema.Parse(File.ReadAllText(Path.Combine(SchemasFolder(), file)));

        foreach (var record in RecordsIn(schema))
        {
            AssertMatches(record);
        }
    }

    [Fact]
    public void Every_CSharp_record_type_has_a_schema_in_the_schema_files()
    {
        var defined = Directory.GetFiles(SchemasFolder(), "*.avsc")
            .SelectMany(f => RecordsIn((RecordSchema)Schema.Parse(File.ReadAllText(f))))
            .Select(r => r.Fullname)
            .ToHashSet();
        var types = Records.GetTypes().Where(t => typeof(ISpecificRecord).IsAssignableFrom(t) && !t.IsAbstract).ToList();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.Contains(t.FullName!, defined));
    }

    [Fact]
    public void The_embedded_schemas_are_the_files_in_schemas()
    {
        var files = Directory.GetFiles(SchemasFolder(), "*.avsc").Order(StringComparer.Ordinal).ToList();

        Assert.Equal(files.Select(Path.GetFileName), SchemaCatalog.All.Select(f => f.FileName));
        Assert.All(files.Zip(SchemaCatalog.All), pair => Assert.Equal(File.ReadAllText(pair.First), pair.Second.Text));
    }

    [Fact]
    public void A_renamed_field_counts_as_drift()
    {
        // The check itself must be able to fail: the same type against a schema with one field renamed.
        var text = File.ReadAllText(Path.Combine(SchemasFolder(), "dead_letter.avsc")).Replace("\"reason\"", "\"cause\"", StringComparison.Ordinal);

        Assert.ThrowsAny<Exception>(() => AssertMatches((RecordSchema)Schema.Parse(text)));
    }

    private static void AssertMatches(RecordSchema record)
    {
        var type = Records.GetType(record.Fullname);
        Assert.True(type is not null, $"No C# type {record.Fullname} for the record in schemas/.");
        Assert.True(typeof(ISpecificRecord).IsAssignableFrom(type), $"{type} does not implement ISpecificRecord.");

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name != nameof(ISpecificRecord.Schema))
            .ToList();
        Assert.Equal(record.Fields.Select(f => PascalCase(f.Name)), properties.Select(p => p.Name));

        var instance = (ISpecificRecord)Activator.CreateInstance(type)!;
        Assert.Equal(
            JsonSerializer.Serialize(JsonDocument.Parse(record.ToString()).RootElement),
            JsonSerializer.Serialize(JsonDocument.Parse(instance.Schema.ToString()).RootElement));
        foreach (var field in record.Fields)
        {
            var property = properties.Single(p => p.Name == PascalCase(field.Name));
            AssertTypeFits(field.Schema, property.PropertyType, $"{record.Fullname}.{field.Name}");

            // Get and Put must use the schema's field positions.
            var value = SampleFor(field.Schema, property.PropertyType);
            instance.Put(field.Pos, value);
            Assert.Equal(value, property.GetValue(instance));
            Assert.Equal(value, instance.Get(field.Pos));
        }
    }

    private static void AssertTypeFits(Schema schema, Type type, string where)
    {
        var nullable = schema is UnionSchema union && union.Schemas.Any(s => s.Tag == Schema.Type.Null);
        var inner = schema is UnionSchema u ? u.Schemas.Single(s => s.Tag != Schema.Type.Null) : schema;
        if (nullable && type.IsValueType)
        {
            Assert.True(Nullable.GetUnderlyingType(type) is not null, $"{where} is nullable in the schema but {type} is not.");
        }

        var expected = inner switch
        {
            LogicalSchema { LogicalTypeName: "timestamp-millis" } => typeof(DateTime),
            PrimitiveSchema { Tag: Schema.Type.String } => typeof(string),
            PrimitiveSchema { Tag: Schema.Type.Long } => typeof(long),
            PrimitiveSchema { Tag: Schema.Type.Int } => typeof(int),
            PrimitiveSchema { Tag: Schema.Type.Boolean } => typeof(bool),
            PrimitiveSchema { Tag: Schema.Type.Double } => typeof(double),
            PrimitiveSchema { Tag: Schema.Type.Bytes } => typeof(byte[]),
            ArraySchema { ItemSchema.Tag: Schema.Type.String } => typeof(IList<string>),
            ArraySchema { ItemSchema: RecordSchema item } when Records.GetType(item.Fullname) is { } itemType => typeof(IList<>).MakeGenericType(itemType),
            MapSchema { ValueSchema.Tag: Schema.Type.String } => typeof(IDictionary<string, string>),
            RecordSchema r => Records.GetType(r.Fullname),
            _ => null,
        };
        Assert.True(expected is not null, $"{where}: the drift check does not know the Avro type {inner}; teach it.");
        Assert.Equal(expected, Nullable.GetUnderlyingType(type) ?? type);
    }

    private static object SampleFor(Schema schema, Type type)
    {
        var inner = schema is UnionSchema u ? u.Schemas.Single(s => s.Tag != Schema.Type.Null) : schema;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying switch
        {
            _ when underlying == typeof(string) => $"sample-{Guid.NewGuid():N}",
            _ when underlying == typeof(long) => 1234567890123L,
            _ when underlying == typeof(int) => 4242,
            _ when underlying == typeof(bool) => true,
            _ when underlying == typeof(DateTime) => new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc),
            _ when underlying == typeof(byte[]) => new byte[] { 1, 2, 3 },
            _ when underlying == typeof(IList<string>) => new List<string> { "a", "b" },
            _ when underlying == typeof(IDictionary<string, string>) => new Dictionary<string, string> { ["k"] = "v" },
            _ when inner is RecordSchema => Activator.CreateInstance(underlying)!,
            _ when inner is ArraySchema { ItemSchema: RecordSchema } => ListOfOne(underlying.GetGenericArguments()[0]),
            _ => throw new InvalidOperationException($"No sample for {type}."),
        };
    }

    private static object ListOfOne(Type itemType)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
        list.Add(Activator.CreateInstance(itemType));
        return list;
    }

    private static IEnumerable<RecordSchema> RecordsIn(RecordSchema root)
    {
        yield return root;
        foreach (var field in root.Fields)
        {
            var schema = field.Schema is UnionSchema u ? u.Schemas.Single(s => s.Tag != Schema.Type.Null) : field.Schema;
            schema = schema is ArraySchema array ? array.ItemSchema : schema;
            if (schema is RecordSchema nested)
            {
                foreach (var r in RecordsIn(nested))
                {
                    yield return r;
                }
            }
        }
    }

    private static string PascalCase(string name) =>
        string.Concat(name.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    private static string SchemasFolder() => Path.Combine(TestSupport.ShopifySamples.RepositoryRoot(), "schemas");
}
