using System.Buffers.Binary;
using Confluent.SchemaRegistry;
using Streaming.Development.Registry;

namespace Streaming.Platform.Tests.Avro;

public sealed class InMemorySchemaRegistryTests
{
    [Fact]
    public async Task Ids_follow_the_order_of_the_schema_files_not_the_order_of_registration()
    {
        using var first = new InMemorySchemaRegistry();
        using var second = new InMemorySchemaRegistry();

        var firstIds = new[]
        {
            await first.RegisterSchemaAsync("a-value", PinterestEvent.AvroSchema.ToString()),
            await first.RegisterSchemaAsync("b-value", ShopifyWebhook.AvroSchema.ToString()),
            await first.RegisterSchemaAsync("c-value", DeadLetter.AvroSchema.ToString()),
        };
        var secondIds = new[]
        {
            await second.RegisterSchemaAsync("c-value", DeadLetter.AvroSchema.ToString()),
            await second.RegisterSchemaAsync("b-value", ShopifyWebhook.AvroSchema.ToString()),
            await second.RegisterSchemaAsync("a-value", PinterestEvent.AvroSchema.ToString()),
        };

        var expected = SchemaCatalog.All.Select(f => f.Schema.Fullname).ToList();
        Assert.Equal(expected.IndexOf("Streaming.Records.PinterestEvent") + 1, firstIds[0]);
        Assert.Equal(expected.IndexOf("Streaming.Records.ShopifyWebhook") + 1, firstIds[1]);
        Assert.Equal(expected.IndexOf("Streaming.Records.DeadLetter") + 1, firstIds[2]);
        Assert.Equal(firstIds, secondIds.Reverse());
    }

    [Fact]
    public async Task A_record_written_with_one_registry_is_read_with_another()
    {
        var writer = Serdes(new InMemorySchemaRegistry());
        var reader = Serdes(new InMemorySchemaRegistry());
        var webhook = new ShopifyWebhook
        {
            WebhookId = "w-1",
            Topic = "orders/create",
            ShopDomain = "shop.myshopify.com",
            EventId = "e-1",
            ReceivedAt = new DateTime(2026, 11, 25, 10, 0, 0, DateTimeKind.Utc),
            Headers = new Dictionary<string, string> { ["x-shopify-topic"] = "orders/create" },
            Body = "{\"id\":1}"u8.ToArray(),
        };

        var bytes = await writer.SerializeAsync(webhook, "webhooks");
        var read = await reader.DeserializeAsync<ShopifyWebhook>(bytes, "webhooks");

        // Confluent wire format: magic byte 0, then the schema id, big-endian.
        Assert.Equal(0, bytes[0]);
        var shopifyWebhookId = SchemaCatalog.All.Select(f => f.Schema.Fullname).ToList().IndexOf("Streaming.Records.ShopifyWebhook") + 1;
        Assert.Equal(shopifyWebhookId, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4)));
        Assert.Equal(webhook.WebhookId, read.WebhookId);
        Assert.Equal(webhook.EventId, read.EventId);
        Assert.Null(read.ApiVersion);
        Assert.Equal(webhook.ReceivedAt, read.ReceivedAt);
        Assert.Equal(webhook.Headers, read.Headers);
        Assert.Equal(webhook.Body, read.Body);
    }

    [Fact]
    public async Task Nested_records_survive_the_round_trip()
    {
        var serdes = Serdes(new InMemorySchemaRegistry());
        var sent = new PinterestEvent
        {
            ShopDomain = "shop.myshopify.com",
            EventName = "checkout",
            ActionSource = "web",
            EventTime = 1_700_000_000,
            EventId = "820982911946154508",
            UserData = new PinterestUserData { Em = ["a", "b"] },
            CustomData = new PinterestCustomData { Currency = "EUR", Value = "12.50", OrderId = "820982911946154508" },
        };

        var read = await serdes.DeserializeAsync<PinterestEvent>(await serdes.SerializeAsync(sent, "events"), "events");

        Assert.Equal(sent.EventId, read.EventId);
        Assert.Equal(sent.UserData.Em, read.UserData.Em);
        Assert.Equal(sent.CustomData.Value, read.CustomData.Value);
        Assert.Null(read.SourceWebhookId);
    }

    [Fact]
    public async Task A_schema_that_is_not_in_the_schema_files_is_refused()
    {
        using var registry = new InMemorySchemaRegistry();
        const string stranger = """{"type":"record","name":"Stranger","fields":[{"name":"x","type":"int"}]}""";

        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => registry.RegisterSchemaAsync("s-value", stranger));

        Assert.Contains("schemas/", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bytes_that_are_not_in_the_wire_format_fail_to_deserialize()
    {
        var serdes = Serdes(new InMemorySchemaRegistry());

        await Assert.ThrowsAnyAsync<Exception>(() => serdes.DeserializeAsync<ShopifyWebhook>("not avro"u8.ToArray(), "webhooks"));
    }

    private static AvroSerdes Serdes(ISchemaRegistryClient registry) =>
        new(registry, Options.Create(new SchemaRegistryOptions()));
}
