using Streaming.Enricher.Customers;
using Streaming.Enricher.Orders;

namespace Streaming.Enricher.Processing;

/// <summary>
/// The customers input: a <c>customers/create</c> becomes a signup at once. It has no cart to wait for a
/// session on and keeps no state.
/// </summary>
public sealed class CustomerProcessor : IRecordProcessor<ShopifyWebhook>
{
    public static bool Handles(string topic) => topic == ShopifyTopics.CustomersCreate;

    public Task<string> ProcessAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context)
    {
        using var document = CheckoutEventMapper.Parse(webhook);
        var (signup, skipped) = SignupMapper.Map(webhook, document.RootElement, shop, context.Clock);
        if (signup is null)
        {
            context.Output.Skipped(webhook.ShopDomain, webhook.Topic, skipped!, webhook.ReceivedAt);
            return Task.FromResult(skipped!);
        }

        context.Output.Mapped(signup, webhook.Topic, sessionJoined: false);
        return Task.FromResult(RecordOutcomes.Mapped);
    }
}
