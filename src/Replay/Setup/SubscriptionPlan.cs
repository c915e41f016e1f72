using Streaming.Replay.Shopify;

namespace Streaming.Replay.Setup;

/// <summary>What <c>setup</c> does to one subscription, and why.</summary>
public enum SubscriptionAction
{
    Keep,
    Create,
    Update,
    Delete,
}

/// <param name="Topic">The GraphQL enum value, for example <c>ORDERS_CREATE</c>.</param>
/// <param name="Existing">The subscription changed, kept or deleted; null for one to create.</param>
public sealed record SubscriptionStep(SubscriptionAction Action, string Topic, WebhookSubscription? Existing, string Why)
{
    public override string ToString() =>
        $"{Action.ToString().ToLowerInvariant(),-6} {WebhookSubscription.TopicOf(Topic),-18} {Why}";
}

/// <summary>
/// The changes that bring the app's subscriptions on a shop to one per topic Ingest writes, each
/// delivering JSON to Ingest's webhook address, and nothing else. What already fits is kept, so a second
/// run changes nothing. The app's subscriptions to other topics are not this pipeline's: left alone.
/// </summary>
public sealed class SubscriptionPlan
{
    private SubscriptionPlan(IReadOnlyList<SubscriptionStep> steps) => Steps = steps;

    public IReadOnlyList<SubscriptionStep> Steps { get; }

    public IEnumerable<SubscriptionStep> Changes => Steps.Where(s => s.Action != SubscriptionAction.Keep);

    public bool ChangesNothing => !Changes.Any();

    /// <param name="topics">The header topics Ingest writes, for example <c>orders/create</c>.</param>
    /// <param name="address">Ingest's webhook address, <c>https://…/webhooks/shopify</c>.</param>
    public static SubscriptionPlan Subscribe(IEnumerable<string> topics, string address, IReadOnlyList<WebhookSubscription> existing)
    {
        var steps = new List<SubscriptionStep>();
        foreach (var topic in topics.Select(WebhookSubscription.EnumOf).Distinct(StringComparer.Ordinal))
        {
            var ofTopic = existing.Where(s => s.Topic == topic).ToList();
            var fitting = ofTopic.FirstOrDefault(s => Fits(s, address));
            var kept = fitting ?? ofTopic.FirstOrDefault();
            if (kept is null)
            {
                steps.Add(new(SubscriptionAction.Create, topic, null, $"→ {address}"));
            }
            else if (fitting is not null)
            {
                steps.Add(new(SubscriptionAction.Keep, topic, kept, $"→ {kept.Uri}"));
            }
            else
            {
                steps.Add(new(SubscriptionAction.Update, topic, kept, $"{kept.Uri} ({kept.Format}) → {address} (JSON)"));
            }

            // A second subscription to one topic delivers each event twice, under another webhook id.
            steps.AddRange(ofTopic.Where(s => s != kept).Select(s => new SubscriptionStep(SubscriptionAction.Delete, topic, s, $"{s.Uri}: a second subscription would deliver every event twice")));
        }

        return new SubscriptionPlan(steps);
    }

    /// <summary>Takes away the subscriptions of Ingest's topics that deliver to <paramref name="address"/>; the app's others stay.</summary>
    public static SubscriptionPlan Remove(IEnumerable<string> topics, string address, IReadOnlyList<WebhookSubscription> existing)
    {
        var wanted = topics.Select(WebhookSubscription.EnumOf).ToHashSet(StringComparer.Ordinal);
        return new SubscriptionPlan([.. existing
            .Where(s => wanted.Contains(s.Topic) && SameAddress(s.Uri, address))
            .Select(s => new SubscriptionStep(SubscriptionAction.Delete, s.Topic, s, $"{s.Uri}"))]);
    }

    public static bool Fits(WebhookSubscription subscription, string address) =>
        SameAddress(subscription.Uri, address) && subscription.Format.Equals("JSON", StringComparison.OrdinalIgnoreCase);

    private static bool SameAddress(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
