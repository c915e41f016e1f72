using Streaming.Replay.Operations;
using Streaming.Replay.Setup;
using Streaming.Replay.Shopify;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Doctor;

/// <summary>The shop's webhooks: a JSON subscription to this Ingest for every topic Ingest writes, read with the shop's Admin token (as <c>setup</c> would make them).</summary>
public sealed class WebhookCheck(HttpClient http, string? adminUrl, IReadOnlyList<string> topics, string? address, TimeProvider clock, ILogger logger)
{
    public async Task<Check> RunAsync(ConnectedShop shop, CancellationToken cancellationToken)
    {
        var scope = Shop.Normalize(shop.Domain);
        const string Name = "webhooks subscribed";
        if (string.IsNullOrWhiteSpace(shop.AdminApiToken))
        {
            return Check.Skip(scope, Name,
                "no Admin API token (Shops:N:AdminApiToken), so not checked: with one, `setup` subscribes them and this checks them; webhooks made by hand are under Settings > Notifications");
        }

        if (address is null)
        {
            return Check.Skip(scope, Name, "Ingest's public address is not known: set Storefront:PublicUrl or give --ingest-url");
        }

        var endpoint = AdminGraphQl.EndpointFor(scope, Contracts.ShopifyApi.Version, adminUrl);
        var client = new WebhookSubscriptionsClient(new AdminGraphQl(http, endpoint, shop.AdminApiToken, WebhookSubscriptionsClient.Scopes, clock, logger));
        try
        {
            var existing = await client.ListAsync(cancellationToken).ConfigureAwait(false);
            var plan = SubscriptionPlan.Subscribe(topics, address, existing);
            var missing = plan.Changes.Select(s => WebhookSubscription.TopicOf(s.Topic)).Distinct(StringComparer.Ordinal).ToList();
            return missing.Count == 0
                ? Check.Pass(scope, Name, $"{topics.Count} topic(s) → {address}")
                : Check.Fail(scope, Name, $"{missing.Count} of {topics.Count} topic(s) not subscribed once to {address}: {string.Join(", ", missing)}",
                    $"Run: setup --shop {scope} --ingest-url <Ingest's public address> (add --dry-run to see the plan first).");
        }
        catch (ShopifyAdminException e)
        {
            return Check.Fail(scope, Name, e.Failure.ToString(), e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return Check.Fail(scope, Name, $"the Admin API did not answer: {e.Message}", "Check the network to the shop's myshopify.com domain.");
        }
    }
}
