namespace Streaming.Operator.Counting;

/// <summary>
/// One day of a shop (UTC, by when things happened in the shop): the orders Shopify sent, what became of
/// them, and the checkout events Pinterest took. The merchant compares these with Shopify's order list
/// and with Pinterest's conversions, which both count by that day.
/// </summary>
public sealed class DayFigures(DateOnly day)
{
    public DateOnly Day { get; } = day;

    public long Orders { get; set; }

    public long OrdersExcluded { get; set; }

    public long OrdersDeadLettered { get; set; }

    public long CheckoutsSent { get; set; }

    public long CheckoutsAccepted { get; set; }

    public long CheckoutsDryRun { get; set; }

    public DayFigures Copy() => (DayFigures)MemberwiseClone();
}
