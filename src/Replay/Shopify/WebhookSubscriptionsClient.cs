using System.Text.Json.Nodes;

namespace Streaming.Replay.Shopify;

/// <summary>
/// The app's webhook subscriptions on one shop, through the Admin GraphQL API: <c>webhookSubscriptions</c>,
/// <c>webhookSubscriptionCreate</c>, <c>webhookSubscriptionUpdate</c> and <c>webhookSubscriptionDelete</c>.
/// Subscriptions made this way belong to the app whose token is used, and are signed with its API secret.
/// </summary>
public sealed class WebhookSubscriptionsClient(AdminGraphQl shop)
{
    /// <summary>What the token needs: the order, checkout and cart topics are all read_orders'.</summary>
    public const string Scopes = "read_orders";

    private const string Fields = "id topic uri format apiVersion { handle }";

    private const string ListQuery = $$"""
        query WebhookSubscriptions($after: String) {
          webhookSubscriptions(first: 100, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes { {{Fields}} }
          }
        }
        """;

    private const string CreateMutation = $$"""
        mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
          webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
            webhookSubscription { {{Fields}} }
            userErrors { field message }
          }
        }
        """;

    private const string UpdateMutation = $$"""
        mutation WebhookSubscriptionUpdate($id: ID!, $webhookSubscription: WebhookSubscriptionInput!) {
          webhookSubscriptionUpdate(id: $id, webhookSubscription: $webhookSubscription) {
            webhookSubscription { {{Fields}} }
            userErrors { field message }
          }
        }
        """;

    private const string DeleteMutation = """
        mutation WebhookSubscriptionDelete($id: ID!) {
          webhookSubscriptionDelete(id: $id) {
            deletedWebhookSubscriptionId
            userErrors { field message }
          }
        }
        """;

    public AdminGraphQl Shop => shop;

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken cancellationToken)
    {
        var all = new List<WebhookSubscription>();
        string? after = null;
        while (true)
        {
            var data = await shop.RunAsync(ListQuery, new { after }, cancellationToken).ConfigureAwait(false);
            var page = data["webhookSubscriptions"] as JsonObject ?? throw new ShopifyAdminException($"{shop.Endpoint} answered without data.webhookSubscriptions.");
            all.AddRange((page["nodes"]?.AsArray() ?? []).OfType<JsonObject>().Select(Read));
            if (page["pageInfo"]?["hasNextPage"]?.GetValue<bool>() != true)
            {
                return all;
            }

            after = page["pageInfo"]?["endCursor"]?.GetValue<string>() ?? throw new ShopifyAdminException($"{shop.Endpoint} said there is a next page but gave no cursor.");
        }
    }

    public async Task<WebhookSubscription> CreateAsync(string topicEnum, string uri, CancellationToken cancellationToken)
    {
        var data = await shop.RunAsync(CreateMutation, new { topic = topicEnum, webhookSubscription = new { uri, format = "JSON" } }, cancellationToken).ConfigureAwait(false);
        return Made(data, "webhookSubscriptionCreate", topicEnum);
    }

    public async Task<WebhookSubscription> UpdateAsync(string id, string uri, CancellationToken cancellationToken)
    {
        var data = await shop.RunAsync(UpdateMutation, new { id, webhookSubscription = new { uri, format = "JSON" } }, cancellationToken).ConfigureAwait(false);
        return Made(data, "webhookSubscriptionUpdate", id);
    }

    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var data = await shop.RunAsync(DeleteMutation, new { id }, cancellationToken).ConfigureAwait(false);
        Payload(data, "webhookSubscriptionDelete", id);
    }

    private WebhookSubscription Made(JsonObject data, string mutation, string what) =>
        Payload(data, mutation, what)["webhookSubscription"] is JsonObject made
            ? Read(made)
            : throw new ShopifyAdminException($"{mutation} of {what} on {shop.Endpoint.Host} answered without the subscription.");

    /// <summary>The mutation's payload, or its userErrors as an exception: a scope Shopify says is missing is told apart.</summary>
    private JsonObject Payload(JsonObject data, string mutation, string what)
    {
        var payload = data[mutation] as JsonObject ?? throw new ShopifyAdminException($"{shop.Endpoint} answered without data.{mutation}.");
        if (payload["userErrors"] is JsonArray { Count: > 0 } errors)
        {
            var messages = string.Join("; ", errors.Select(e => e?["message"]?.GetValue<string>()));
            var denied = messages.Contains("access", StringComparison.OrdinalIgnoreCase)
                || messages.Contains("permission", StringComparison.OrdinalIgnoreCase)
                || messages.Contains("scope", StringComparison.OrdinalIgnoreCase);
            throw denied
                ? new ShopifyAdminException(
                    $"{mutation} of {what} on {shop.Endpoint.Host} was refused: {messages}. Give the app the scope {Scopes} (and, for orders, " +
                    "access to protected customer data), install it again, and put its new token in Shops:N:AdminApiToken.",
                    ShopifyAdminFailure.MissingScope)
                : new ShopifyAdminException($"{mutation} of {what} on {shop.Endpoint.Host} failed: {messages}");
        }

        return payload;
    }

    private static WebhookSubscription Read(JsonObject node) => new(
        node["id"]?.GetValue<string>() ?? "",
        node["topic"]?.GetValue<string>() ?? "",
        node["uri"]?.GetValue<string>() ?? "",
        node["format"]?.GetValue<string>() ?? "JSON",
        node["apiVersion"]?["handle"]?.GetValue<string>());
}
