using Avro.Specific;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Streaming.Development.Registry;

namespace Streaming.Platform.Tests.Avro;

public sealed class AvroSerdesTests
{
    public static TheoryData<ISpecificRecord> Records() =>
    [
        new ShopifyWebhook
        {
            WebhookId = "w-1",
            Topic = "orders/create",
            ShopDomain = "shop.myshopify.com",
            ApiVersion = "2026-07",
            ReceivedAt = new DateTime(2026, 11, 25, 10, 0, 0, 123, DateTimeKind.Utc),
            Headers = new Dictionary<string, string> { ["x-shopify-topic"] = "orders/create", ["x-shopify-webhook-id"] = "w-1" },
            Body = "{\"id\":9007199254740993,\"note\":\"Zoë\"}"u8.ToArray(),
        },
        new StorefrontEvent
        {
            ShopDomain = "shop.myshopify.com",
            EventId = "pv-1",
            EventName = "page_viewed",
            ShopifyEventId = "sh-1",
            ClientId = "c-1",
            OccurredAt = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc),
            CartToken = "Z2NwLXVz",
            Consent = new StorefrontConsent { Analytics = true, Marketing = false, Preferences = true, SaleOfData = false },
            ClientIp = "2001:db8::1",
            ReceivedAt = new DateTime(2026, 11, 25, 9, 0, 1, DateTimeKind.Utc),
            Event = "{}"u8.ToArray(),
        },
        TestRecords.Checkout("9007199254740993"),
        new DeadLetter
        {
            SourceTopic = "t",
            SourcePartition = 2,
            SourceOffset = 42,
            Value = [1, 2, 3],
            Service = "enricher",
            Reason = "unmappable",
            Error = "no id",
            FailedAt = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc),
        },
        // Nested records, unions, arrays and bytes; numbers at their edges; text outside ASCII, with an
        // unpaired surrogate (written as U+FFFD); a body far larger than the encoder's first buffer.
        new EnricherState
        {
            UpdatedAt = long.MinValue,
            Session = new Session
            {
                ClickId = "dj0yJnU9S0tm", UserAgent = "Zoë 🛒 \ud800", FirstSeen = -1, LastSeen = long.MaxValue,
                MarketingAllowed = true, PixelEventIds = [new PixelEventId { EventName = "add_to_cart", Subject = "v-1", EventId = "e-1" }],
            },
            CartLines = [new CartLine { VariantId = "v-1", Quantity = 63 }, new CartLine { VariantId = "v-2", Quantity = 64 }, new CartLine { VariantId = "", Quantity = int.MinValue }],
            SentOrders = ["9007199254740993", ""],
            Waiting = new WaitingWebhook
            {
                PartitionKey = "shop/cart", WebhookId = "w-1", Topic = "orders/create", ShopDomain = "shop", ReceivedAt = 1_764_064_800_123,
                Body = [.. Enumerable.Range(0, 100_000).Select(i => (byte)i)], DueEventTime = int.MaxValue + 1L, DueWallTime = 0, CheckoutEvent = [0, 255],
            },
        },
        new EnrichmentOutcome
        {
            ShopDomain = "shop.myshopify.com", Input = "orders/create", EventName = "checkout", EventId = "order-1", Outcome = "mapped",
            SessionJoined = true, ClickId = false, OccurredAt = new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc), DecidedAt = DateTime.UnixEpoch,
        },
    ];

    [Theory]
    [MemberData(nameof(Records))]
    public async Task The_bytes_are_those_of_Confluents_serializer(ISpecificRecord record)
    {
        using var registry = new InMemorySchemaRegistry();
        var ours = await SerializeAsync(new AvroSerdes(registry, Options.Create(new SchemaRegistryOptions())), record);
        var theirs = await ConfluentAsync(registry, record);

        Assert.Equal(theirs, ours);
    }

    [Theory]
    [MemberData(nameof(Records))]
    public async Task What_Confluents_serializer_wrote_is_read_back_whole(ISpecificRecord record)
    {
        using var registry = new InMemorySchemaRegistry();
        var serdes = new AvroSerdes(registry, Options.Create(new SchemaRegistryOptions()));
        var theirs = await ConfluentAsync(registry, record);

        var read = await serdes.DeserializeAsync(record.GetType(), theirs, "topic");

        Assert.Equal(record.GetType(), read.GetType());
        Assert.Equal(theirs, await SerializeAsync(serdes, read));
    }

    [Fact]
    public async Task A_value_that_is_not_in_the_wire_format_is_refused_with_the_reason()
    {
        var serdes = TestRecords.Serdes();

        var unframed = await Assert.ThrowsAsync<InvalidDataException>(() => serdes.DeserializeAsync<PinterestEvent>("{\"id\":1}"u8.ToArray(), "topic"));
        var short_ = await Assert.ThrowsAsync<InvalidDataException>(() => serdes.DeserializeAsync<PinterestEvent>([0, 0], "topic"));

        Assert.Contains("magic byte", unframed.Message, StringComparison.Ordinal);
        Assert.Contains("5 bytes or more", short_.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_this_process_wrote_is_read_back_without_asking_the_registry()
    {
        // Every read of a schema by id fails, as with the registry down; registering still answered earlier.
        var registry = FlakyRegistry.Create(failures: 100);
        var serdes = new AvroSerdes(registry, Options.Create(new SchemaRegistryOptions()));

        var bytes = await serdes.SerializeAsync(TestRecords.Checkout("written-here"), "events");
        var read = await serdes.DeserializeAsync<PinterestEvent>(bytes, "events");

        Assert.Equal("written-here", read.EventId);
        Assert.Equal(0, ((FlakyRegistry)(object)registry).Failures);
        // A record written elsewhere (another id) still needs the registry, and waits for it.
        var elsewhere = (byte[])bytes.Clone();
        elsewhere[4]++;
        await Assert.ThrowsAsync<HttpRequestException>(() => serdes.DeserializeAsync<PinterestEvent>(elsewhere, "events"));
    }

    [Fact]
    public async Task A_schema_id_the_registry_did_not_give_is_asked_for_again()
    {
        using var registry = new InMemorySchemaRegistry();
        var serdes = new AvroSerdes(registry, Options.Create(new SchemaRegistryOptions { AutoRegisterSchemas = false }));
        var checkout = TestRecords.Checkout("1");

        await Assert.ThrowsAsync<SchemaRegistryException>(() => serdes.SerializeAsync(checkout, "events"));
        await registry.RegisterSchemaAsync("events-value", PinterestEvent.AvroSchema.ToString());
        var bytes = await serdes.SerializeAsync(checkout, "events");

        Assert.Equal("1", (await serdes.DeserializeAsync<PinterestEvent>(bytes, "events")).EventId);
    }

    private static Task<byte[]> SerializeAsync(AvroSerdes serdes, ISpecificRecord record) => record switch
    {
        ShopifyWebhook r => serdes.SerializeAsync(r, "topic"),
        StorefrontEvent r => serdes.SerializeAsync(r, "topic"),
        PinterestEvent r => serdes.SerializeAsync(r, "topic"),
        DeadLetter r => serdes.SerializeAsync(r, "topic"),
        EnricherState r => serdes.SerializeAsync(r, "topic"),
        EnrichmentOutcome r => serdes.SerializeAsync(r, "topic"),
        _ => throw new ArgumentOutOfRangeException(nameof(record)),
    };

    private static Task<byte[]> ConfluentAsync(ISchemaRegistryClient registry, ISpecificRecord record) => record switch
    {
        ShopifyWebhook r => Confluent(registry, r),
        StorefrontEvent r => Confluent(registry, r),
        PinterestEvent r => Confluent(registry, r),
        DeadLetter r => Confluent(registry, r),
        EnricherState r => Confluent(registry, r),
        EnrichmentOutcome r => Confluent(registry, r),
        _ => throw new ArgumentOutOfRangeException(nameof(record)),
    };

    private static Task<byte[]> Confluent<T>(ISchemaRegistryClient registry, T record)
        where T : ISpecificRecord =>
        new AvroSerializer<T>(registry).SerializeAsync(record, new SerializationContext(MessageComponentType.Value, "topic"));
}
