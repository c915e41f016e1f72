using System.Text.Json;

namespace Streaming.Ingest.Webhooks;

/// <summary>
/// The Kafka key of a webhook: shop and resource id, so that deliveries about one order, cart or
/// checkout stay in order on one partition while one busy shop still spreads over all partitions.
/// </summary>
internal static class WebhookKey
{
    public static string For(string shopDomain, ReadOnlySpan<byte> body, string webhookId) =>
        $"{shopDomain}/{ResourceId(body) ?? webhookId}";

    private static string? ResourceId(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? token = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "id" && reader.TokenType is JsonTokenType.Number or JsonTokenType.String)
                {
                    return reader.TokenType == JsonTokenType.Number ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : reader.GetString();
                }

                if (name == "token" && reader.TokenType == JsonTokenType.String)
                {
                    token = reader.GetString();
                }

                reader.Skip();
            }

            return token;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON, or not UTF-8: still recorded, keyed by delivery; the enricher dead-letters what it cannot read.
            return null;
        }
    }
}
