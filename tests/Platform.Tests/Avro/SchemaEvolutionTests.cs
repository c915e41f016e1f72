using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;

namespace Streaming.Platform.Tests.Avro;

/// <summary>
/// Records grow by fields with defaults, so a record written before a change is still read after it.
/// The previous committed schemas are kept in <c>Previous/</c>.
/// </summary>
public sealed class SchemaEvolutionTests
{
    private static readonly string[] V2HashedFields = ["em", "ph", "fn", "ln", "ct", "st", "zp", "country", "external_id"];

    [Fact]
    public void A_PinterestEvent_written_with_the_previous_schema_is_read_with_the_current_one()
    {
        var old = OldCheckout(Previous("pinterest_event.v1.avsc"), user => user.Add("em", new object[] { "0f1e" }), _ => { });

        var read = ReadWithCurrent<PinterestEvent>(old, PinterestEvent.AvroSchema);

        Assert.Equal("9007199254740993", read.EventId);
        Assert.Equal(["0f1e"], read.UserData.Em);
        Assert.Empty(read.UserData.Ph);
        Assert.Null(read.UserData.ClickId);
        Assert.Equal("113.62", read.CustomData.Value);
        Assert.Empty(read.CustomData.ContentIds);
        Assert.Null(read.CustomData.NumItems);
    }

    [Fact]
    public void A_PinterestEvent_of_the_schema_before_the_enricher_joined_sessions_is_read_with_the_current_one()
    {
        var old = OldCheckout(
            Previous("pinterest_event.v2.avsc"),
            user =>
            {
                foreach (var field in V2HashedFields)
                {
                    user.Add(field, field == "ph" ? new object[] { "a1b2" } : Array.Empty<object>());
                }

                user.Add("client_ip_address", "203.0.113.9");
                user.Add("client_user_agent", "UA");
                user.Add("click_id", "click");
            },
            custom =>
            {
                custom.Add("content_ids", new object[] { "9007199254741207" });
                custom.Add("num_items", 3L);
            });

        var read = ReadWithCurrent<PinterestEvent>(old, PinterestEvent.AvroSchema);

        Assert.Equal(["a1b2"], read.UserData.Ph);
        Assert.Equal("click", read.UserData.ClickId);
        Assert.Equal(["9007199254741207"], read.CustomData.ContentIds);
        Assert.Empty(read.CustomData.Contents);
        Assert.Null(read.CustomData.OptOutType);
        Assert.Null(read.OptOut);
        Assert.Null(read.EventSourceUrl);
        Assert.Equal(("unassigned_market", "0"), (read.MarketHandle, read.MarketId));
    }

    [Fact]
    public void A_PinterestDelivery_of_the_schema_before_the_operator_view_is_read_with_the_current_one()
    {
        var previous = Previous("pinterest_delivery.v1.avsc");
        var old = new GenericRecord(previous);
        old.Add("event_id", "9007199254740993");
        old.Add("shop_domain", "shop.myshopify.com");
        old.Add("ad_account_id", "549755813888");
        old.Add("event_name", "checkout");
        old.Add("status", "failed");
        old.Add("message", "Invalid parameter");
        old.Add("attempts", 2);
        old.Add("latency_ms", 180L);
        old.Add("match_keys", new object[] { "em", "click_id" });
        old.Add("test_mode", false);
        old.Add("answered_at", DateTimeOffset.FromUnixTimeMilliseconds(1_770_000_000_000L).UtcDateTime);
        old.Add("replay", null);

        var read = ReadWithCurrent<PinterestDelivery>(old, PinterestDelivery.AvroSchema);

        Assert.Equal("failed", read.Status);
        Assert.Equal(["em", "click_id"], read.MatchKeys);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_770_000_000_000L).UtcDateTime, read.AnsweredAt);
        // Unknown before the field existed: the operator view leaves such records out of the delay.
        Assert.Equal(0, read.EventTime);
        Assert.Null(read.DeadLetterReason);
    }

    [Fact]
    public void A_delivered_id_written_one_record_per_id_before_requests_were_logged_whole_is_read_as_that_one_id()
    {
        // An upgraded dispatcher restores changelogs written before issue 26: such a record has no ids of its
        // own, and its key is the id (Dispatcher's DeliveredChangelog).
        var old = new GenericRecord(Previous("delivered_event.v1.avsc"));
        old.Add("accepted_at", DateTimeOffset.FromUnixTimeMilliseconds(1_770_000_000_000L).UtcDateTime);
        old.Add("shop_domain", "shop.myshopify.com");

        var read = ReadWithCurrent<DeliveredEvent>(old, DeliveredEvent.AvroSchema);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_770_000_000_000L).UtcDateTime, read.AcceptedAt);
        Assert.Equal("shop.myshopify.com", read.ShopDomain);
        Assert.Empty(read.EventIds);
    }

    [Fact]
    public void A_waiting_webhook_stored_before_traces_were_kept_is_read_with_the_current_schema_and_has_no_trace()
    {
        var previous = Previous("enricher_state.v1.avsc");
        var old = new GenericRecord(previous);
        old.Add("updated_at", 1_770_000_000_000L);
        old.Add("session", null);
        old.Add("cart_lines", null);
        old.Add("sent_orders", Array.Empty<object>());
        old.Add("cart_token", null);
        var waiting = new GenericRecord(WaitingOf(previous));
        waiting.Add("partition_key", "shop.myshopify.com/cart-1");
        waiting.Add("webhook_id", "w-1");
        waiting.Add("topic", "orders/create");
        waiting.Add("shop_domain", "shop.myshopify.com");
        waiting.Add("received_at", 1_770_000_000_000L);
        waiting.Add("body", Array.Empty<byte>());
        waiting.Add("cart_lines_before", Array.Empty<object>());
        waiting.Add("due_event_time", 1_770_000_030_000L);
        waiting.Add("due_wall_time", 1_770_000_120_000L);
        waiting.Add("checkout_event", new byte[] { 0, 0, 0, 0, 1 });
        waiting.Add("checkout_token", "checkout-1");
        old.Add("waiting", waiting);

        var read = ReadWithCurrent<EnricherState>(old, EnricherState.AvroSchema);

        Assert.Equal(("w-1", "checkout-1", 1_770_000_120_000L), (read.Waiting!.WebhookId, read.Waiting.CheckoutToken, read.Waiting.DueWallTime));
        Assert.Null(read.Waiting.Traceparent);
        Assert.Null(read.Waiting.Tracestate);
    }

    [Fact]
    public void A_waiting_webhook_with_its_trace_is_still_read_by_an_enricher_of_the_previous_schema()
    {
        // During a rolling deploy an instance not yet updated may restore a partition from the changelog.
        var current = new EnricherState
        {
            UpdatedAt = 1_770_000_000_000L,
            Waiting = new WaitingWebhook
            {
                PartitionKey = "shop.myshopify.com/cart-1",
                WebhookId = "w-1",
                Topic = "orders/create",
                ShopDomain = "shop.myshopify.com",
                DueEventTime = 1_770_000_030_000L,
                Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                Tracestate = "vendor=abc",
            },
        };
        using var bytes = new MemoryStream();
        new SpecificDatumWriter<EnricherState>(EnricherState.AvroSchema).Write(current, new BinaryEncoder(bytes));
        bytes.Position = 0;
        var previous = Previous("enricher_state.v1.avsc");

        var read = new GenericDatumReader<GenericRecord>(EnricherState.AvroSchema, previous).Read(null!, new BinaryDecoder(bytes));

        var waiting = (GenericRecord)read["waiting"];
        Assert.Equal(("w-1", 1_770_000_030_000L), ((string)waiting["webhook_id"], (long)waiting["due_event_time"]));
        Assert.False(waiting.TryGetValue("traceparent", out _));
    }

    [Theory]
    [InlineData("enricher_state.v1.avsc")]
    [InlineData("pinterest_event.v1.avsc")]
    [InlineData("pinterest_event.v2.avsc")]
    [InlineData("pinterest_delivery.v1.avsc")]
    public void Every_field_added_since_a_previous_schema_has_a_default(string file)
    {
        var previous = Previous(file);
        var pairs = previous.Name switch
        {
            _ when previous.Name == PinterestDelivery.AvroSchema.Name => new[] { (previous, PinterestDelivery.AvroSchema) },
            _ when previous.Name == EnricherState.AvroSchema.Name => [(previous, EnricherState.AvroSchema), (WaitingOf(previous), WaitingWebhook.AvroSchema)],
            _ => [(previous, PinterestEvent.AvroSchema), ((RecordSchema)previous["user_data"].Schema, PinterestUserData.AvroSchema), ((RecordSchema)previous["custom_data"].Schema, PinterestCustomData.AvroSchema)],
        };

        foreach (var (before, now) in pairs)
        {
            foreach (var field in now.Fields.Where(f => !before.Contains(f.Name)))
            {
                Assert.True(field.DefaultValue is not null, $"{now.Name}.{field.Name} was added without a default.");
            }
        }
    }

    /// <summary>
    /// A checkout event of a previous schema with the fields every version has; <paramref name="user"/> and
    /// <paramref name="custom"/> fill the rest of user_data and custom_data.
    /// </summary>
    private static GenericRecord OldCheckout(RecordSchema previous, Action<GenericRecord> user, Action<GenericRecord> custom)
    {
        var old = new GenericRecord(previous);
        old.Add("shop_domain", "shop.myshopify.com");
        old.Add("event_name", "checkout");
        old.Add("action_source", "web");
        old.Add("event_time", 1_770_000_000L);
        old.Add("event_id", "9007199254740993");
        var userData = new GenericRecord((RecordSchema)previous["user_data"].Schema);
        user(userData);
        old.Add("user_data", userData);
        var customData = new GenericRecord((RecordSchema)previous["custom_data"].Schema);
        customData.Add("currency", "EUR");
        customData.Add("value", "113.62");
        customData.Add("order_id", "9007199254740993");
        custom(customData);
        old.Add("custom_data", customData);
        old.Add("source_webhook_id", "w-1");
        return old;
    }

    /// <summary>Writes <paramref name="old"/> with its own schema and reads it with <paramref name="current"/>, as a reader after the change does.</summary>
    private static T ReadWithCurrent<T>(GenericRecord old, RecordSchema current)
        where T : ISpecificRecord
    {
        using var bytes = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(old.Schema).Write(old, new BinaryEncoder(bytes));
        bytes.Position = 0;
        return new SpecificDatumReader<T>(old.Schema, current).Read(default!, new BinaryDecoder(bytes));
    }

    private static RecordSchema WaitingOf(RecordSchema enricherState) =>
        (RecordSchema)((UnionSchema)enricherState["waiting"].Schema).Schemas.Single(s => s.Tag == Schema.Type.Record);

    private static RecordSchema Previous(string file) => (RecordSchema)Schema.Parse(File.ReadAllText(Path.Combine(
        ShopifySamples.RepositoryRoot(), "tests", "Platform.Tests", "Avro", "Previous", file)));
}
