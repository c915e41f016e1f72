using Streaming.Contracts;
using Streaming.Operator.Counting;
using M = Streaming.Operator.Metrics.OperatorMetrics.Outcomes;

namespace Streaming.Operator.Pages;

/// <summary>
/// A tally's counts as the tables show them, a cell each in the same order on every page: received,
/// excluded, dead-lettered, sent, accepted, failed, dry run; each the figure <c>{prefix}/{outcome}</c>.
/// </summary>
public static class TallyCells
{
    public static Html Counts(this Html html, string prefix, Tally tally) => html
        .Count($"{prefix}/{M.Received}", tally.Received)
        .Count($"{prefix}/{M.Excluded}", tally.Excluded)
        .Count($"{prefix}/{M.DeadLettered}", tally.DeadLettered)
        .Count($"{prefix}/{M.Sent}", tally.Sent)
        .Count($"{prefix}/{M.Accepted}", tally.Accepted)
        .Count($"{prefix}/{M.Failed}", tally.Failed)
        .Count($"{prefix}/{M.DryRun}", tally.Status(DeliveryStatus.DryRun));
}
