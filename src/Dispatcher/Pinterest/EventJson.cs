using System.Buffers;
using System.Text.Json;
using Streaming.Records;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>
/// Writes one event as Pinterest's <c>data[]</c> item straight from the Avro record, with no payload
/// objects in between: a request of 1,000 events used to build four objects per event and serialize them
/// twice (once to measure, once to send). Keys in snake_case, in Pinterest's order; a key whose value is
/// absent (null, or an empty list of match keys) is left out, as Pinterest wants.
/// </summary>
public static class EventJson
{
    // A writer and its buffer per thread, reused, for measuring an event's size without keeping it.
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? _measure;

    /// <summary>The bytes <paramref name="e"/> takes in a request's body.</summary>
    public static int Bytes(PinterestEvent e, bool withMarket)
    {
        var (buffer, writer) = _measure ??= NewMeasure();
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        Write(writer, e, withMarket);
        writer.Flush();
        return buffer.WrittenCount;
    }

    /// <summary>Writes <c>{"data":[...]}</c> for <paramref name="events"/>.</summary>
    public static void WriteBody(Utf8JsonWriter writer, IReadOnlyList<PinterestEvent> events, bool withMarket)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        foreach (var e in events)
        {
            Write(writer, e, withMarket);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, PinterestEvent e, bool withMarket)
    {
        writer.WriteStartObject();
        String(writer, "event_name"u8, e.EventName);
        String(writer, "action_source"u8, e.ActionSource);
        writer.WriteNumber("event_time"u8, e.EventTime);
        String(writer, "event_id"u8, e.EventId);

        var u = e.UserData;
        writer.WriteStartObject("user_data"u8);
        List(writer, "em"u8, u.Em);
        List(writer, "ph"u8, u.Ph);
        List(writer, "fn"u8, u.Fn);
        List(writer, "ln"u8, u.Ln);
        List(writer, "ct"u8, u.Ct);
        List(writer, "st"u8, u.St);
        List(writer, "zp"u8, u.Zp);
        List(writer, "country"u8, u.Country);
        List(writer, "external_id"u8, u.ExternalId);
        String(writer, "client_ip_address"u8, u.ClientIpAddress);
        String(writer, "client_user_agent"u8, u.ClientUserAgent);
        String(writer, "click_id"u8, u.ClickId);
        writer.WriteEndObject();

        var c = e.CustomData;
        writer.WriteStartObject("custom_data"u8);
        String(writer, "currency"u8, c.Currency);
        String(writer, "value"u8, c.Value);
        String(writer, "order_id"u8, c.OrderId);
        List(writer, "content_ids"u8, c.ContentIds);
        if (c.NumItems is { } numItems)
        {
            writer.WriteNumber("num_items"u8, numItems);
        }

        if (c.Contents.Count > 0)
        {
            writer.WriteStartArray("contents"u8);
            foreach (var content in c.Contents)
            {
                writer.WriteStartObject();
                String(writer, "id"u8, content.Id);
                String(writer, "item_price"u8, content.ItemPrice);
                if (content.Quantity is { } quantity)
                {
                    writer.WriteNumber("quantity"u8, quantity);
                }

                String(writer, "item_name"u8, content.ItemName);
                String(writer, "item_brand"u8, content.ItemBrand);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        String(writer, "search_string"u8, c.SearchString);
        String(writer, "opt_out_type"u8, c.OptOutType);
        if (withMarket)
        {
            String(writer, "market_id"u8, e.MarketId);
            String(writer, "market_handle"u8, e.MarketHandle);
        }

        writer.WriteEndObject();

        String(writer, "event_source_url"u8, e.EventSourceUrl);
        if (e.OptOut is { } optOut)
        {
            writer.WriteBoolean("opt_out"u8, optOut);
        }

        writer.WriteEndObject();
    }

    private static void String(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void List(Utf8JsonWriter writer, ReadOnlySpan<byte> name, IList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static (ArrayBufferWriter<byte>, Utf8JsonWriter) NewMeasure()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        return (buffer, new Utf8JsonWriter(buffer));
    }
}
