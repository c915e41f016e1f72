namespace Streaming.Operator.Tests.Rig;

/// <summary>
/// A week of a small shop, for the browser test and the screenshot in the README: orders of the web
/// store and the till, browsing events, a few refusals and dead letters. Seeded, so the counts it
/// returns are the ones the page must show.
/// </summary>
public static class Showcase
{
    public const string Shop = "ceramics-studio.myshopify.com";

    private static readonly int[] CheckoutsPerDay = [14, 11, 9, 12, 8, 10, 6];

    /// <summary>Checkout events Pinterest accepted over the 7 days.</summary>
    public static int AcceptedCheckouts => CheckoutsPerDay.Sum() - FailedCheckouts;

    public static int FailedCheckouts => 2;

    /// <summary>Orders Shopify sent over the 7 days: web orders, two till orders a day, one test order, one that could not be read.</summary>
    public static int Orders => CheckoutsPerDay.Sum() + (2 * CheckoutsPerDay.Length) + 1 + 1 + CheckoutsPerDay.Length;

    public static IEnumerable<Fed> Records(DateTimeOffset now)
    {
        var random = new Random(7);
        for (var back = 0; back < CheckoutsPerDay.Length; back++)
        {
            var day = now.AddDays(-back).AddHours(-2);
            for (var i = 0; i < CheckoutsPerDay[back]; i++)
            {
                var at = day.AddMinutes(-i * 37);
                var joined = random.NextDouble() < 0.7;
                var click = joined && random.NextDouble() < 0.6;
                var failed = (back == 0 && i == 1) || (back == 4 && i == 0);
                yield return Fed.Outcome(Shop, "orders/create", "checkout", "mapped", at, joined: joined, clickId: click, occurredAt: at.AddSeconds(-3));
                yield return Fed.Delivery(
                    Shop,
                    "checkout",
                    failed ? "failed" : "processed",
                    at,
                    TimeSpan.FromSeconds(joined ? random.Next(1, 4) : random.Next(28, 34)),
                    CheckoutKeys(random, joined, click),
                    reason: failed ? "pinterest_event_failed" : null,
                    message: failed ? "Invalid user_data.ph: not a SHA-256 hash" : null);
                if (failed)
                {
                    yield return Fed.DeadLetter(Shop, "dispatcher", "pinterest_event_failed", "Invalid user_data.ph: not a SHA-256 hash", at, FigureCases.RawBody);
                }
            }

            yield return Fed.Outcome(Shop, "orders/create", "checkout", "skipped", day.AddMinutes(-5), reason: "pos");
            yield return Fed.Outcome(Shop, "orders/create", "checkout", "skipped", day.AddMinutes(-95), reason: "pos");
            yield return Fed.Outcome(Shop, "orders/create", "checkout", "skipped", day.AddMinutes(-50), reason: "no_marketing_consent");
            if (back == 2)
            {
                yield return Fed.Outcome(Shop, "orders/create", "checkout", "skipped", day.AddMinutes(-70), reason: "test_order");
            }

            if (back == 3)
            {
                yield return Fed.Outcome(Shop, "orders/create", "checkout", "dead_lettered", day.AddMinutes(-80), reason: "unmappable");
                yield return Fed.DeadLetter(Shop, "enricher", "unmappable", "The order's currency is not an ISO 4217 code: 'EURO'", day.AddMinutes(-80), FigureCases.RawBody);
            }

            foreach (var (name, input, count) in new[]
                     {
                         ("page_visit", "storefront/product_viewed", 60), ("add_to_cart", "carts/update", 25), ("view_category", "storefront/collection_viewed", 15),
                         ("search", "storefront/search_submitted", 6), ("initiate_checkout", "storefront/checkout_started", 18),
                     })
            {
                for (var i = 0; i < count; i++)
                {
                    var at = day.AddMinutes(-i * 9).AddSeconds(-random.Next(0, 500));
                    var click = random.NextDouble() < 0.45;
                    yield return Fed.Outcome(Shop, input, name, "mapped", at, joined: true, clickId: click);
                    yield return Fed.Delivery(Shop, name, "processed", at, TimeSpan.FromSeconds(random.Next(1, 3)), BrowsingKeys(random, name, click));
                }
            }

            if (back == 5)
            {
                yield return Fed.Delivery(Shop, "add_to_cart", "too_old", day, TimeSpan.FromDays(8), reason: "too_old", message: "Older than 7.00:00:00");
                yield return Fed.DeadLetter(Shop, "dispatcher", "too_old", "Older than 7.00:00:00", day, FigureCases.RawBody);
            }
        }
    }

    private static string[] CheckoutKeys(Random random, bool joined, bool click)
    {
        var keys = new List<string> { "em" };
        keys.AddRange(new[] { ("ph", 0.8), ("fn", 0.9), ("ln", 0.9), ("ct", 0.85), ("st", 0.85), ("zp", 0.85), ("country", 0.9), ("external_id", 0.6) }
            .Where(k => random.NextDouble() < k.Item2).Select(k => k.Item1));
        if (joined || random.NextDouble() < 0.5)
        {
            keys.AddRange(["client_ip_address", "client_user_agent"]);
        }

        if (click)
        {
            keys.Add("click_id");
        }

        return [.. keys];
    }

    private static string[] BrowsingKeys(Random random, string name, bool click)
    {
        var keys = new List<string>();
        if (name == "initiate_checkout" && random.NextDouble() < 0.5)
        {
            keys.Add("em");
        }

        keys.AddRange(["client_ip_address", "client_user_agent"]);
        if (click)
        {
            keys.Add("click_id");
        }

        return [.. keys];
    }
}
