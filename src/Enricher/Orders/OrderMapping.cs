namespace Streaming.Enricher.Orders;

/// <summary>What became of one order: an event for Pinterest, or a reason it was left out on purpose.</summary>
public sealed record OrderMapping(PinterestEvent? Event, string? SkipReason)
{
    public static OrderMapping Mapped(PinterestEvent pinterestEvent) => new(pinterestEvent, null);

    public static OrderMapping Skipped(string reason) => new(null, reason);
}

/// <summary>The webhook is not an order this pipeline can read; it goes to the dead-letter topic.</summary>
public sealed class UnmappableWebhookException(string message, Exception? inner = null) : Exception(message, inner);
