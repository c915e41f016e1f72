namespace Streaming.Contracts;

/// <summary>
/// The <c>outcome</c> of <c>pipeline.enricher.records</c> and of the enrichment outcome records, and the
/// enricher's dead-letter reasons: strings others count on, so each is written here once.
/// </summary>
public static class RecordOutcomes
{
    public const string Mapped = "mapped";
    public const string Waiting = "waiting";
    public const string Released = "released";
    public const string Skipped = "skipped";
    public const string DeadLettered = "dead_lettered";

    /// <summary>Dead-letter reasons of the enricher.</summary>
    public static class Reasons
    {
        public const string UnknownShop = "unknown_shop";
        public const string Unmappable = "unmappable";
    }
}
