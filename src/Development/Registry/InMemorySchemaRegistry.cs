using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Confluent.SchemaRegistry;
using Streaming.Contracts;
using AvroSchema = Avro.Schema;
using AvroSchemaNormalization = Avro.SchemaNormalization;

namespace Streaming.Development.Registry;

/// <summary>
/// A Schema Registry that lives in the process, for runs with no <c>SchemaRegistry:Url</c>.
/// </summary>
/// <remarks>
/// Ids come from the position of a schema in <see cref="SchemaCatalog.All"/> (files sorted by name), not
/// from the order of calls, so separate processes on one broker agree on every id without talking to each
/// other. A schema that is not in schemas/ is refused: it could not get the same id everywhere.
/// </remarks>
public sealed class InMemorySchemaRegistry : ISchemaRegistryClient
{
    private readonly List<KnownSchema> _known;
    private readonly ConcurrentDictionary<string, List<int>> _subjects = new(StringComparer.Ordinal);

    public InMemorySchemaRegistry()
        : this(SchemaCatalog.All.Select(f => f.Text))
    {
    }

    /// <summary>Registers <paramref name="schemas"/> with ids 1, 2, 3… in the order given.</summary>
    public InMemorySchemaRegistry(IEnumerable<string> schemas)
    {
        _known = schemas
            .Select((text, index) => new KnownSchema(index + 1, text, Canonical(text)))
            .ToList();
    }

    public IEnumerable<KeyValuePair<string, string>> Config { get; } = [];

    public IAuthenticationHeaderValueProvider? AuthHeaderProvider => null;

    public IWebProxy? Proxy => null;

    public int MaxCachedSchemas => int.MaxValue;

    public Task<int> RegisterSchemaAsync(string subject, string avroSchema, bool normalize = false) =>
        RegisterSchemaAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public Task<int> RegisterSchemaAsync(string subject, Schema schema, bool normalize = false)
    {
        var known = Find(schema.SchemaString);
        var versions = _subjects.GetOrAdd(subject, _ => []);
        lock (versions)
        {
            if (!versions.Contains(known.Id))
            {
                versions.Add(known.Id);
            }
        }

        return Task.FromResult(known.Id);
    }

    public async Task<RegisteredSchema> RegisterSchemaWithResponseAsync(string subject, Schema schema, bool normalize = false)
    {
        await RegisterSchemaAsync(subject, schema, normalize).ConfigureAwait(false);
        return await LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: false, normalize).ConfigureAwait(false);
    }

    public Task<int> GetSchemaIdAsync(string subject, string avroSchema, bool normalize = false) =>
        GetSchemaIdAsync(subject, new Schema(avroSchema, SchemaType.Avro), normalize);

    public async Task<int> GetSchemaIdAsync(string subject, Schema schema, bool normalize = false) =>
        (await LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: false, normalize).ConfigureAwait(false)).Id;

    public Task<Schema> GetSchemaAsync(int id, string? format = null) =>
        Task.FromResult(ById(id).ToSchema());

    public Task<Schema> GetSchemaBySubjectAndIdAsync(string subject, int id, string? format = null) =>
        GetSchemaAsync(id, format);

    public Task<Schema> GetSchemaByGuidAsync(string guid, string? format = null) =>
        Task.FromResult((_known.FirstOrDefault(k => k.Guid == guid) ?? throw NotFound($"schema guid {guid}")).ToSchema());

    public Task<RegisteredSchema> LookupSchemaAsync(string subject, Schema schema, bool ignoreDeletedSchemas, bool normalize = false)
    {
        var known = Find(schema.SchemaString);
        var versions = Versions(subject);
        var index = versions.IndexOf(known.Id);
        if (index < 0)
        {
            throw NotFound($"schema under subject {subject}");
        }

        return Task.FromResult(known.ToRegistered(subject, index + 1));
    }

    public Task<RegisteredSchema> GetRegisteredSchemaAsync(string subject, int version, bool ignoreDeletedSchemas = true)
    {
        var versions = Versions(subject);
        if (version < 1 || version > versions.Count)
        {
            throw NotFound($"version {version} of subject {subject}");
        }

        return Task.FromResult(ById(versions[version - 1]).ToRegistered(subject, version));
    }

    [Obsolete("Kept only because ISchemaRegistryClient declares it.")]
    public async Task<string> GetSchemaAsync(string subject, int version) =>
        (await GetRegisteredSchemaAsync(subject, version).ConfigureAwait(false)).SchemaString;

    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject) =>
        GetRegisteredSchemaAsync(subject, Versions(subject).Count);

    public Task<RegisteredSchema> GetLatestWithMetadataAsync(string subject, IDictionary<string, string> metadata, bool ignoreDeletedSchemas) =>
        throw new NotSupportedException("The in-memory schema registry keeps no schema metadata.");

    public Task<List<string>> GetAllSubjectsAsync() => Task.FromResult(_subjects.Keys.Order(StringComparer.Ordinal).ToList());

    public Task<List<int>> GetSubjectVersionsAsync(string subject) =>
        Task.FromResult(Enumerable.Range(1, Versions(subject).Count).ToList());

    public Task<bool> IsCompatibleAsync(string subject, string avroSchema) => Task.FromResult(true);

    public Task<bool> IsCompatibleAsync(string subject, Schema schema) => Task.FromResult(true);

    [Obsolete("Kept only because ISchemaRegistryClient declares it.")]
    public string ConstructKeySubjectName(string topic, string? recordType = null) => $"{topic}-key";

    [Obsolete("Kept only because ISchemaRegistryClient declares it.")]
    public string ConstructValueSubjectName(string topic, string? recordType = null) => $"{topic}-value";

    public Task<Compatibility> GetCompatibilityAsync(string? subject = null) => Task.FromResult(Compatibility.Backward);

    public Task<Compatibility> UpdateCompatibilityAsync(Compatibility compatibility, string? subject = null) =>
        Task.FromResult(compatibility);

    public void ClearLatestCaches()
    {
    }

    public void ClearCaches()
    {
    }

    public Task<List<Association>> GetAssociationsByResourceNameAsync(
        string resourceName, string resourceNamespace, string resourceType, List<string> associationTypes,
        string lifecycle, int offset, int limit) =>
        // None: serializers then fall back to the topic name strategy, subject "<topic>-value".
        Task.FromResult(new List<Association>());

    public Task<AssociationResponse> CreateAssociationAsync(AssociationCreateOrUpdateRequest request) =>
        throw new NotSupportedException("The in-memory schema registry has no associations.");

    public Task DeleteAssociationsAsync(string resourceId, string resourceType, List<string> associationTypes, bool cascadeLifecycle) =>
        throw new NotSupportedException("The in-memory schema registry has no associations.");

    public void Dispose()
    {
    }

    private KnownSchema Find(string schemaText)
    {
        var canonical = Canonical(schemaText);
        return _known.FirstOrDefault(k => k.Canonical == canonical)
            ?? throw new SchemaRegistryException(
                "The in-memory schema registry only knows the schemas in schemas/; this one is not among them. " +
                "Add it there, or set SchemaRegistry:Url.",
                HttpStatusCode.UnprocessableEntity,
                42201);
    }

    private KnownSchema ById(int id) =>
        id >= 1 && id <= _known.Count ? _known[id - 1] : throw NotFound($"schema id {id}");

    private List<int> Versions(string subject)
    {
        if (!_subjects.TryGetValue(subject, out var versions))
        {
            throw NotFound($"subject {subject}");
        }

        lock (versions)
        {
            return [.. versions];
        }
    }

    private static string Canonical(string schemaText) =>
        AvroSchemaNormalization.ToParsingForm(AvroSchema.Parse(schemaText));

    private static SchemaRegistryException NotFound(string what) =>
        new($"The in-memory schema registry has no {what}.", HttpStatusCode.NotFound, 40403);

    private sealed record KnownSchema(int Id, string Text, string Canonical)
    {
        public string Guid { get; } = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical)).AsSpan(0, 16)).ToString();

        public Schema ToSchema() => new(Text, SchemaType.Avro);

        public RegisteredSchema ToRegistered(string subject, int version) =>
            new(subject, version, Id, Guid, Text, SchemaType.Avro, []);
    }
}
