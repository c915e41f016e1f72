namespace Streaming.Kafka.Avro;

/// <summary>The <c>SchemaRegistry</c> configuration section.</summary>
public sealed class SchemaRegistryOptions
{
    public const string Section = "SchemaRegistry";

    /// <summary>Confluent Schema Registry URL. Empty: an in-memory registry that knows only schemas/.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Asks for the in-memory registry by name. In the Production environment an empty <see cref="Url"/> alone
    /// is refused: records written with its fixed ids would not decode against a real registry.
    /// </summary>
    public bool UseInMemoryRegistry { get; set; }

    /// <summary>user:password for the registry's basic auth, if it has any.</summary>
    public string? BasicAuthUserInfo { get; set; }

    /// <summary>Let producers register a schema the registry does not have yet.</summary>
    public bool AutoRegisterSchemas { get; set; } = true;

    public bool UsesInMemoryRegistry => string.IsNullOrWhiteSpace(Url);
}
