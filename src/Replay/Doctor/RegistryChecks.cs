using Avro;
using Confluent.SchemaRegistry;
using Streaming.Contracts;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Topics;
using Streaming.Records;

namespace Streaming.Replay.Doctor;

/// <summary>
/// The schema registry: reachable, and for each topic's value subject (<c>&lt;topic&gt;-value</c>), the
/// latest registered schema compatible with ours by the registry's own rules (its compatibility endpoint),
/// so that the services' writes are not refused and old records still decode.
/// </summary>
public sealed class RegistryChecks(ISchemaRegistryClient registry, SchemaRegistryOptions options, TopicsOptions topics, TimeSpan timeout)
{
    /// <summary>The record each topic holds, by its declaration.</summary>
    private static readonly (TopicDeclaration Topic, RecordSchema Schema)[] Records =
    [
        (ShopifyWebhook.KafkaTopic, ShopifyWebhook.AvroSchema),
        (StorefrontEvent.KafkaTopic, StorefrontEvent.AvroSchema),
        (PinterestEvent.KafkaTopic, PinterestEvent.AvroSchema),
        (DeadLetter.KafkaTopic, DeadLetter.AvroSchema),
        (EnrichmentOutcome.KafkaTopic, EnrichmentOutcome.AvroSchema),
        (PinterestDelivery.KafkaTopic, PinterestDelivery.AvroSchema),
        (DeliveredEvent.KafkaTopic, DeliveredEvent.AvroSchema),
        (EnricherState.KafkaTopic, EnricherState.AvroSchema),
    ];

    public async Task<IReadOnlyList<Check>> RunAsync()
    {
        if (options.UsesInMemoryRegistry)
        {
            return [Check.Skip(Check.Cluster, "schema registry", "none configured: the in-memory registry of each process (SchemaRegistry:UseInMemoryRegistry), fine for a trial only")];
        }

        List<string> subjects;
        try
        {
            subjects = await registry.GetAllSubjectsAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or SchemaRegistryException or TimeoutException)
        {
            return [Check.Fail(Check.Cluster, "schema registry reachable", $"{options.Url}: {e.Message}",
                "Check SchemaRegistry:Url (or --schema-registry), SchemaRegistry:BasicAuthUserInfo, and that this machine reaches the registry.")];
        }

        var checks = new List<Check> { Check.Pass(Check.Cluster, "schema registry reachable", $"{options.Url}: {subjects.Count} subject(s)") };
        var registered = subjects.ToHashSet(StringComparer.Ordinal);
        foreach (var (topic, schema) in Records)
        {
            var configured = topics.Registered.FirstOrDefault(r => r.Declaration.Key == topic.Key).Options ?? topic.Defaults();
            var subject = $"{configured.Name}-value";
            checks.Add(await SubjectAsync(subject, schema, registered.Contains(subject)).ConfigureAwait(false));
        }

        return checks;
    }

    private async Task<Check> SubjectAsync(string subject, RecordSchema schema, bool registered)
    {
        var name = $"schema {subject}";
        if (!registered)
        {
            return options.AutoRegisterSchemas
                ? Check.Pass(Check.Cluster, name, "not registered yet: the first write registers it (SchemaRegistry:AutoRegisterSchemas)")
                : Check.Fail(Check.Cluster, name, "not registered, and SchemaRegistry:AutoRegisterSchemas is false: every write of the topic fails",
                    $"Register schemas/{schema.Name} under {subject}, or set SchemaRegistry:AutoRegisterSchemas=true.");
        }

        try
        {
            var compatible = await registry.IsCompatibleAsync(subject, new Confluent.SchemaRegistry.Schema(schema.ToString(), SchemaType.Avro)).WaitAsync(timeout).ConfigureAwait(false);
            return compatible
                ? Check.Pass(Check.Cluster, name, $"the latest version is compatible with {schema.Fullname}")
                : Check.Fail(Check.Cluster, name, $"the latest version is not compatible with {schema.Fullname}: writes would be refused",
                    $"A schema change broke the subject's compatibility rule: make the change compatible (new fields with defaults), or, if the old records are gone, " +
                    $"change the subject's compatibility (PUT /config/{subject}) deliberately.");
        }
        catch (Exception e) when (e is HttpRequestException or SchemaRegistryException or TimeoutException)
        {
            return Check.Fail(Check.Cluster, name, $"the compatibility check failed: {e.Message}",
                "Check that the registry allows this client POST /compatibility/subjects/<subject>/versions/latest.");
        }
    }
}
