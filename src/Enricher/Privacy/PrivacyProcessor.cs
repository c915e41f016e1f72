using System.Globalization;
using Streaming.Enricher.Processing;

namespace Streaming.Enricher.Privacy;

/// <summary>
/// Shopify's compliance requests, one copy per partition: each task finds what its part of the state
/// holds for the customer or shop, deletes it for a redaction (tombstones go to the changelog with the
/// batch's commit) and writes its part of the answer to <c>pipeline.privacy</c>. The task of partition 0
/// also has the dead-letter topic searched and, for a redaction, its letters replaced by redacted copies.
/// </summary>
public sealed class PrivacyProcessor : IRecordProcessor<ShopifyWebhook>
{
    public static bool Handles(string topic) => ShopifyTopics.IsCompliance(topic);

    public async Task<string> ProcessAsync(ShopifyWebhook webhook, EnricherShop shop, long at, ProcessorContext context)
    {
        var request = ComplianceRequest.Parse(webhook);
        var found = await StateHoldings.FindAsync(context.States, request);
        if (request.Erases)
        {
            foreach (var (key, _) in found)
            {
                context.States.Delete(key);
                if (key.StartsWith(Stitching.CartStates.WaitingPrefix, StringComparison.Ordinal))
                {
                    context.Waiting.Remove(key);
                }
            }
        }

        var report = new PrivacyReport
        {
            ShopDomain = request.ShopDomain,
            Request = request.Topic,
            RequestId = request.RequestId,
            CustomerId = request.CustomerId,
            DataRequestId = request.DataRequestId,
            Action = request.Erases ? PrivacyReport.Erased : PrivacyReport.Reported,
            Part = context.Partition,
            Parts = Copies(webhook),
            Holdings = [StateHoldings.Describe(found)],
        };
        context.Output.PrivacyReports.Add(report);
        if (context.Partition == 0)
        {
            context.Output.DeadLetterErasures.Add(new DeadLetterErasure(
                report, request.Erases, request.CustomerId, request.Email, request.Phone, request.WholeShop ? null : request.OrderIds));
        }

        return SkipReasons.PrivacyRequest;
    }

    private static int Copies(ShopifyWebhook webhook) =>
        webhook.Headers.TryGetValue(ShopifyTopics.CopiesHeader, out var copies) && int.TryParse(copies, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : 1;
}
