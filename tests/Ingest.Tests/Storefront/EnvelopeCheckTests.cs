using System.Text.Json.Nodes;
using Streaming.Ingest.Storefront;

namespace Streaming.Ingest.Tests.Storefront;

/// <summary>
/// The hand-written envelope check may say yes only where <c>collect-envelope.schema.json</c> says yes:
/// over every variation below, each field missing, of each wrong type, at and around each limit, in other
/// spellings and twice over, it never accepts what the schema evaluator refuses.
/// </summary>
public sealed class EnvelopeCheckTests
{
    [Fact]
    public void Never_accepts_an_envelope_the_schema_refuses_and_takes_the_pixels_usual_envelopes_itself()
    {
        var wrong = new List<string>();
        int schemaYes = 0, checkYes = 0, cases = 0;
        foreach (var json in Variations())
        {
            using var document = JsonDocument.Parse(json);
            var schema = CollectEnvelope.SchemaAccepts(document.RootElement);
            var check = EnvelopeCheck.IsPlainlyValid(document.RootElement);
            cases++;
            schemaYes += schema ? 1 : 0;
            checkYes += check ? 1 : 0;
            if (check && !schema)
            {
                wrong.Add(json);
            }
        }

        Assert.Empty(wrong);
        // The corpus has both verdicts in number, and the check takes most of what the schema takes.
        Assert.True(cases > 300, $"{cases} cases");
        Assert.InRange(schemaYes, 50, cases - 100);
        Assert.True(checkYes >= schemaYes * 0.6, $"the check took {checkYes} of the {schemaYes} the schema takes");
    }

    [Fact]
    public void The_envelope_the_pixel_sends_is_taken_by_the_check_without_the_evaluator()
    {
        using var document = JsonDocument.Parse(Requests.Envelope().ToJsonString());

        Assert.True(EnvelopeCheck.IsPlainlyValid(document.RootElement));
    }

    private static IEnumerable<string> Variations()
    {
        var strings = new JsonNode?[]
        {
            null, "", "a", "é", "😀", new string('x', 63), new string('x', 64), new string('x', 65), new string('x', 127), new string('x', 128), new string('x', 129),
            new string('x', 255), new string('x', 256), new string('x', 257), new string('x', 511), new string('x', 512), new string('x', 513),
            string.Concat(Enumerable.Repeat("😀", 100)), string.Concat(Enumerable.Repeat("😀", 128)), string.Concat(Enumerable.Repeat("😀", 200)),
            string.Concat(Enumerable.Repeat("é", 256)), string.Concat(Enumerable.Repeat("é", 257)), "x\n", 1, 1.5, true, false,
        };
        var others = new Func<JsonNode?>[] { () => new JsonObject(), () => new JsonArray(), () => new JsonObject { ["a"] = 1 } };
        var fields = new (string[] Path, bool Optional)[]
        {
            (["shop"], false), (["event_id"], false), (["click_id"], true), (["cart_token"], true), (["checkout_token"], true),
            (["consent"], false), (["consent", "analytics"], false), (["consent", "marketing"], false), (["consent", "preferences"], false),
            (["consent", "sale_of_data"], false), (["event"], false), (["event", "id"], false), (["event", "name"], false),
            (["event", "timestamp"], false), (["event", "clientId"], false), (["event", "context"], false), (["event", "data"], false),
        };

        yield return Requests.Envelope().ToJsonString();
        foreach (var (path, _) in fields)
        {
            yield return With(path, remove: true);
            foreach (var value in strings)
            {
                yield return With(path, value?.DeepClone());
            }

            foreach (var value in others)
            {
                yield return With(path, value());
            }
        }

        string[] shops =
        [
            "a.myshopify.com", "A.myshopify.com", "0-.myshopify.com", "-a.myshopify.com", "a_b.myshopify.com", "a.b.myshopify.com",
            "a.myshopify.com\n", "a.MYSHOPIFY.com", ".myshopify.com", "a.myshopify.co", "é.myshopify.com",
            new string('a', 100) + ".myshopify.com", new string('a', 101) + ".myshopify.com",
        ];
        foreach (var shop in shops)
        {
            yield return With(["shop"], shop);
        }

        string[] names = ["page_viewed", "a", "a1_", "Page_viewed", "1a", "_a", "a-b", "a b", new string('a', 64), new string('a', 65), "checkout_completed\n"];
        foreach (var name in names)
        {
            yield return With(["event", "name"], name);
        }

        string[] times =
        [
            "2026-12-05T06:30:00.123Z", "2026-12-05T06:30:00Z", "2026-12-05T06:30:00.123456Z", "2026-12-05T06:30:00.123+02:00",
            "2026-12-05t06:30:00.123z", "2026-12-05 06:30:00.123Z", "2026-02-29T06:30:00.123Z", "2028-02-29T06:30:00.123Z",
            "2026-12-05T24:00:00.000Z", "2026-12-05T23:59:60.000Z", "2026-13-05T06:30:00.123Z", "2026-12-32T06:30:00.123Z",
            "0001-01-01T00:00:00.000Z", "2026-12-05T06:30:00.123", "12/05/2026 06:30:00", "2026-12-05T06:30:00.12Z", "now",
        ];
        foreach (var time in times)
        {
            yield return With(["event", "timestamp"], time);
        }

        yield return With(["extra"], 1);
        yield return With(["consent", "extra"], true);
        yield return With(["event", "extra"], "Shopify may add fields");
        foreach (var name in new[] { "shop", "event_id", "click_id", "cart_token", "consent", "event" })
        {
            yield return Twice(name);
        }
    }

    private static string With(string[] path, JsonNode? value = null, bool remove = false)
    {
        var envelope = Requests.Envelope();
        JsonObject parent = envelope;
        foreach (var step in path[..^1])
        {
            parent = (JsonObject)parent[step]!;
        }

        if (remove)
        {
            parent.Remove(path[^1]);
        }
        else
        {
            parent[path[^1]] = value;
        }

        return envelope.ToJsonString();
    }

    // JsonObject refuses a name twice, so the second is spliced into the text.
    private static string Twice(string name)
    {
        var envelope = Requests.Envelope();
        var again = $"\"{name}\":{envelope[name]?.ToJsonString() ?? "null"},";
        var text = envelope.ToJsonString();
        return "{" + again + text[1..];
    }
}
