using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Kafka.Avro;

namespace Streaming.ServiceDefaults;

/// <summary>
/// The embedded broker and the in-memory registry start when their setting is empty, which is what a local
/// trial wants and what a typo in a deployment must never get. In the Production environment they start
/// only when asked for by name (<c>Kafka:UseEmbeddedBroker</c>, <c>SchemaRegistry:UseInMemoryRegistry</c>).
/// </summary>
public sealed class ProductionGuard(IHostEnvironment environment) : IValidateOptions<KafkaOptions>, IValidateOptions<SchemaRegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        if (options.UseEmbeddedBroker && !options.UsesEmbeddedBroker)
        {
            return ValidateOptionsResult.Fail(
                $"Kafka:UseEmbeddedBroker is true and Kafka:BootstrapServers names a cluster ('{options.BootstrapServers}'): set only one of them.");
        }

        if (options.UsesEmbeddedBroker && !options.UseEmbeddedBroker && environment.IsProduction())
        {
            return ValidateOptionsResult.Fail(
                "Kafka:BootstrapServers is empty, and in the Production environment that is refused: it would start an embedded " +
                "broker inside this process that loses every record when the process stops. Set Kafka:BootstrapServers " +
                "(environment variable Kafka__BootstrapServers) to your cluster, or set Kafka:UseEmbeddedBroker=true to ask for " +
                "the embedded broker on purpose (a trial only).");
        }

        return ValidateOptionsResult.Success;
    }

    public ValidateOptionsResult Validate(string? name, SchemaRegistryOptions options)
    {
        if (options.UseInMemoryRegistry && !options.UsesInMemoryRegistry)
        {
            return ValidateOptionsResult.Fail(
                $"SchemaRegistry:UseInMemoryRegistry is true and SchemaRegistry:Url names a registry ('{options.Url}'): set only one of them.");
        }

        if (options.UsesInMemoryRegistry && !options.UseInMemoryRegistry && environment.IsProduction())
        {
            return ValidateOptionsResult.Fail(
                "SchemaRegistry:Url is empty, and in the Production environment that is refused: it would use an in-memory schema " +
                "registry whose schema ids no real registry shares. Set SchemaRegistry:Url (environment variable SchemaRegistry__Url) " +
                "to your Schema Registry, or set SchemaRegistry:UseInMemoryRegistry=true to ask for the in-memory registry on purpose.");
        }

        return ValidateOptionsResult.Success;
    }
}
