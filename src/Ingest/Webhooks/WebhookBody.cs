using System.Text;
using System.Text.Json;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// What Ingest needs from a webhook body, found in one pass that also proves the body is one JSON object:
/// the resource's id and token and the cart token it belongs to.
/// </summary>
internal readonly record struct WebhookBody(string? Id, string? Token, string? CartToken)
{
    /// <summary>The body's fields, or why the body is not a JSON object.</summary>
    public static (WebhookBody Body, string? Error) Inspect(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return (default, "The body is empty; Shopify sends a JSON object.");
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            reader.Read();

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return (default, $"The body is a JSON {Describe(reader.TokenType)}, not the JSON object Shopify sends.");
            }

            string? id = null, token = null, cartToken = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("id"u8))
                {
                    id = Scalar(ref reader);
                }
                else if (name.SequenceEqual("token"u8))
                {
                    token = Scalar(ref reader);
                }
                else if (name.SequenceEqual("cart_token"u8))
                {
                    cartToken = Scalar(ref reader);
                }

                // Skipping reads the whole value, so malformed JSON anywhere is found.
                reader.Skip();
            }

            // Reading on past the object throws if anything but white space follows it.
            reader.Read();
            return (new WebhookBody(id, token, cartToken), null);
        }
        catch (JsonException e)
        {
            return (default, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
        catch (InvalidOperationException)
        {
            return (default, "The body is not valid UTF-8 JSON.");
        }
    }

    // Ids are kept as written: above 2^53 a double would round them.
    private static string? Scalar(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString() is { Length: > 0 } s ? s : null,
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        _ => null,
    };

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => "value",
    };
}
