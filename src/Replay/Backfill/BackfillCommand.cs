using System.Text.Json;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Enricher;
using Streaming.Enricher.Orders;
using Streaming.Records;
using Streaming.Replay.Sending;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Backfill;

/// <summary>
/// <c>backfill</c>: a shop's orders of the days before the install, read from the Admin GraphQL API and
/// fed in as <c>orders/create</c> records on shopify.webhooks, marked as backfill. The live enricher maps
/// them like any order (it does not wait for a session: none will come), and the dispatcher sends them.
/// The webhook id is derived from the order, so a second run's records are known again downstream.
/// </summary>
public sealed class BackfillCommand(ReplayContext context, Uri? endpointTemplate, string apiVersion, int pageSize)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var request = context.Request;
        var client = ActivatorUtilities.CreateInstance<ShopifyAdminClient>(context.Services);
        var accepted = context.Accepted(cancellationToken);
        var maxEventAge = context.Services.GetRequiredService<IOptions<Dispatcher.DispatcherOptions>>().Value.MaxEventAge;
        var topic = context.Topics[ShopifyWebhook.KafkaTopic].Name;
        var enricherShops = context.Services.GetRequiredService<ShopDirectory<EnricherShop>>();
        var pace = new Pace(request.MaxRate, context.Clock);
        await using var progress = context.Progress(() => null);
        foreach (var shop in context.SelectedShops)
        {
            var domain = Shop.Normalize(shop.Domain);
            var enricherShop = enricherShops.TryFind(domain, out var found) ? found : throw new InvalidOperationException($"No shop {domain} is configured.");
            var endpoint = Endpoint(domain);
            var writes = new List<Task>();
            await foreach (var order in client.OrdersAsync(endpoint, shop.AdminApiToken!, request.From, request.To, pageSize, cancellationToken))
            {
                context.Tally.Reading(1);
                var body = AdminOrderBody.From(order);
                var webhook = new ShopifyWebhook
                {
                    Topic = CheckoutEventMapper.OrdersCreate,
                    ShopDomain = domain,
                    ApiVersion = apiVersion,
                    ReceivedAt = context.Clock.GetUtcNow().UtcDateTime,
                    Body = body,
                    BackfillRun = request.RunId,
                };
                if (Decide(webhook, enricherShop, shop.Pinterest.AdAccountId, accepted, maxEventAge) is not { } orderId)
                {
                    continue;
                }

                context.Tally.Sending(domain, "checkout");
                if (request.DryRun)
                {
                    continue;
                }

                webhook.WebhookId = $"backfill-{orderId}";
                using var document = JsonDocument.Parse(body);
                var key = RecordKeys.Cart(domain, document.RootElement.TryGetProperty("cart_token", out var cart) && cart.GetString() is { } token ? token : orderId);
                await pace.WaitAsync(cancellationToken);
                writes.Add(await context.Publisher.EnqueueAsync(topic, key, webhook, cancellationToken));
                if (writes.Count >= 1_000)
                {
                    await Task.WhenAll(writes);
                    writes.Clear();
                }
            }

            await Task.WhenAll(writes);
        }

        if (client.Throttled > 0)
        {
            context.Tally.Note($"Shopify throttled {client.Throttled} request(s); waited {client.Waited.TotalSeconds:0.#} s in all");
        }
    }

    /// <summary>The order's id when it is to be fed in; otherwise counts why not and returns null.</summary>
    private string? Decide(ShopifyWebhook webhook, EnricherShop shop, string adAccountId, AcceptedEvents accepted, TimeSpan maxEventAge)
    {
        using var document = JsonDocument.Parse(webhook.Body);
        var order = document.RootElement;
        PinterestEvent draft;
        try
        {
            if (CheckoutEventMapper.Exclusion(order, shop) is { } excluded)
            {
                context.Tally.Exclude($"enricher_{excluded}");
                return null;
            }

            // Mapped as the enricher will, so what it would dead-letter is counted here instead of written.
            draft = CheckoutEventMapper.Draft(webhook, order, shop, context.Clock);
        }
        catch (Exception e) when (e is UnmappableWebhookException or JsonException)
        {
            context.Tally.Exclude("enricher_unmappable");
            return null;
        }

        if (ReplaySink.OutsideWindow(DateTimeOffset.FromUnixTimeSeconds(draft.EventTime), context.Clock.GetUtcNow(), maxEventAge))
        {
            context.Tally.Skip(ReplayTally.Skips.OutsideWindow);
            return null;
        }

        if (accepted.Contains(adAccountId, draft.EventId))
        {
            context.Tally.Skip(ReplayTally.Skips.AlreadyAccepted);
            return null;
        }

        return draft.CustomData.OrderId;
    }

    private Uri Endpoint(string domain) =>
        endpointTemplate is null
            ? new Uri($"https://{domain}/admin/api/{apiVersion}/graphql.json")
            : new Uri(endpointTemplate.OriginalString.Replace("{shop}", domain, StringComparison.Ordinal).Replace("{version}", apiVersion, StringComparison.Ordinal));
}
