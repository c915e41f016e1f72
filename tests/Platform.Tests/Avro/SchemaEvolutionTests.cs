using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using Streaming.Records;
using Streaming.TestSupport;

namespace Streaming.Platform.Tests.Avro;

/// <summary>
/// Records grow by fields with defaults, so a record written before a change is still read after it.
/// The previous committed schemas are kept in <c>Previous/</c>.
/// </summary>
public sealed class SchemaEvolutionTests
{
    [Fact]
    public void A_PinterestEvent_written_with_the_previous_schema_is_read_with_the_current_one()
    {
        var previous = (RecordSchema)Schema.Parse(File.ReadAllText(Path.Combine(
            ShopifySamples.RepositoryRoot(), "tests", "Platform.Tests", "Avro", "Previous", "pinterest_event.v1.avsc")));
        var old = new GenericRecord(previous);
        old.Add("shop_domain", "shop.myshopify.com");
        old.Add("event_name", "checkout");
        old.Add("action_source", "web");
        old.Add("event_time", 1_770_000_000L);
        old.Add("event_id", "9007199254740993");
        var user = new GenericRecord((RecordSchema)previous["user_data"].Schema);
        user.Add("em", new object[] { "0f1e" });
        old.Add("user_data", user);
        var custom = new GenericRecord((RecordSchema)previous["custom_data"].Schema);
        custom.Add("currency", "EUR");
        custom.Add("value", "113.62");
        custom.Add("order_id", "9007199254740993");
        old.Add("custom_data", custom);
        old.Add("source_webhook_id", "w-1");
        using var bytes = new MemoryStream();
        new GenericDatumWriter<GenericRecord>(previous).Write(old, new BinaryEncoder(bytes));
        bytes.Position = 0;

        var read = new SpecificDatumReader<PinterestEvent>(previous, PinterestEvent.AvroSchema).Read(null!, new BinaryDecoder(bytes));

        Assert.Equal("9007199254740993", read.EventId);
        Assert.Equal(["0f1e"], read.UserData.Em);
        Assert.Empty(read.UserData.Ph);
        Assert.Null(read.UserData.ClickId);
        Assert.Equal("113.62", read.CustomData.Value);
        Assert.Empty(read.CustomData.ContentIds);
        Assert.Null(read.CustomData.NumItems);
    }

    [Fact]
    public void Every_field_added_since_the_previous_schema_has_a_default()
    {
        var previous = (RecordSchema)Schema.Parse(File.ReadAllText(Path.Combine(
            ShopifySamples.RepositoryRoot(), "tests", "Platform.Tests", "Avro", "Previous", "pinterest_event.v1.avsc")));

        foreach (var (before, now) in new[] { (previous, PinterestEvent.AvroSchema), ((RecordSchema)previous["user_data"].Schema, PinterestUserData.AvroSchema), ((RecordSchema)previous["custom_data"].Schema, PinterestCustomData.AvroSchema) })
        {
            foreach (var field in now.Fields.Where(f => !before.Contains(f.Name)))
            {
                Assert.True(field.DefaultValue is not null, $"{now.Name}.{field.Name} was added without a default.");
            }
        }
    }
}
