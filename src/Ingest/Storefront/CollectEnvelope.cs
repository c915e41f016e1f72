using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Json.Schema;

namespace Streaming.Ingest.Storefront;

/// <summary>
/// The body of <c>POST /collect</c>: a Web Pixels event inside our pixel's envelope, checked against
/// <c>collect-envelope.schema.json</c> (the contract the pixel and the docs share).
/// </summary>
public sealed record CollectEnvelope(
    string Shop,
    string EventId,
    string? ClickId,
    string? CartToken,
    string? CheckoutToken,
    bool Analytics,
    bool Marketing,
    bool Preferences,
    bool SaleOfData,
    string ShopifyEventId,
    string EventName,
    DateTime OccurredAt,
    string ClientId,
    byte[] Event)
{
    public const string SchemaResource = "collect-envelope.schema.json";

    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    // A valid envelope needs only the verdict; the details are worked out for the invalid ones alone.
    private static readonly EvaluationOptions Verdict = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };

    private static readonly EvaluationOptions Details = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public static string SchemaText { get; } = ReadSchemaText();

    /// <summary>The envelope, or a message that names the first field at fault (never its value: the endpoint is public).</summary>
    public static (CollectEnvelope? Envelope, string? Error) Parse(ReadOnlyMemory<byte> body)
    {
        // The JSON reader checks structure, not text: without these, a string that is no text throws
        // wherever it is first read, in the schema's checks or, deep inside the event, in the enricher.
        if (!Utf8.IsValid(body.Span))
        {
            return (null, "The body is not valid UTF-8.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return (null, $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        if (!EscapesAreText(body.Span))
        {
            document.Dispose();
            return (null, "The body escapes a character that is not Unicode text (a lone surrogate, \\ud800 to \\udfff).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (!EnvelopeCheck.IsPlainlyValid(root) && !SchemaAccepts(root))
            {
                return (null, Describe(Schema.Value.Evaluate(root, Details)));
            }

            var consent = root.GetProperty("consent");
            var shopifyEvent = root.GetProperty("event");
            var timestamp = shopifyEvent.GetProperty("timestamp").GetString()!;
            if (!DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var occurredAt))
            {
                return (null, "/event/timestamp: not an ISO 8601 time.");
            }

            return (new CollectEnvelope(
                root.GetProperty("shop").GetString()!.ToLowerInvariant(),
                root.GetProperty("event_id").GetString()!,
                OptionalString(root, "click_id"),
                OptionalString(root, "cart_token"),
                OptionalString(root, "checkout_token"),
                consent.GetProperty("analytics").GetBoolean(),
                consent.GetProperty("marketing").GetBoolean(),
                consent.GetProperty("preferences").GetBoolean(),
                consent.GetProperty("sale_of_data").GetBoolean(),
                shopifyEvent.GetProperty("id").GetString()!,
                shopifyEvent.GetProperty("name").GetString()!,
                occurredAt.UtcDateTime,
                shopifyEvent.GetProperty("clientId").GetString()!,
                // The event's bytes as they came, not decoded to text and encoded again.
                JsonMarshal.GetRawUtf8Value(shopifyEvent).ToArray()), null);
        }
    }

    /// <summary>The schema evaluator's verdict. One instance per process: the evaluator registers a schema by its $id, once.</summary>
    internal static bool SchemaAccepts(JsonElement root) => Schema.Value.Evaluate(root, Verdict).IsValid;

    // Only a \u escape can make valid UTF-8 JSON unreadable; bodies without one (nearly all) are not read twice.
    private static bool EscapesAreText(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return true;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if ((reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName) && reader.ValueIsEscaped)
                {
                    reader.GetString();
                }
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    // The deepest failing location names the field; the keyword's message says what it lacks.
    private static string Describe(EvaluationResults results)
    {
        var failure = (results.Details ?? [])
            .Where(d => !d.IsValid && d.Errors is { Count: > 0 })
            .OrderByDescending(d => d.InstanceLocation.ToString().Length)
            .FirstOrDefault();
        if (failure is null)
        {
            return "The envelope does not match collect-envelope.schema.json.";
        }

        var location = failure.InstanceLocation.ToString();
        var (keyword, message) = failure.Errors!.First();
        // additionalProperties: false fails at the extra property itself, against the schema "false". Its name
        // is the caller's text: named is its parent, never the name itself.
        var undefined = message.Contains("false schema", StringComparison.Ordinal);
        if (undefined)
        {
            location = location[..Math.Max(0, location.LastIndexOf('/'))];
        }

        var field = keyword == "required" ? $"{location}/{MissingProperty(message)}" : location.Length == 0 ? "/" : location;
        return keyword switch
        {
            "required" => $"{field}: required but missing.",
            _ when undefined => $"{field}: has a property the envelope does not define.",
            "type" => $"{field}: wrong type ({message}).",
            _ => $"{field}: {message}",
        };
    }

    // JsonSchema.Net says: Required properties ["shop"] are not present.
    private static string MissingProperty(string message)
    {
        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : "(a required property)";
    }

    private static JsonSchema LoadSchema() => JsonSchema.FromText(SchemaText);

    private static string ReadSchemaText()
    {
        using var stream = typeof(CollectEnvelope).Assembly.GetManifestResourceStream(SchemaResource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
