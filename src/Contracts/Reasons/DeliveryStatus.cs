namespace Streaming.Contracts;

/// <summary>
/// The <c>status</c> of a delivery record, the <c>outcome</c> of the events metric, and the dead-letter
/// reasons of the dispatcher: strings others count on, so each is written here once.
/// </summary>
public static class DeliveryStatus
{
    public const string Service = "dispatcher";

    public const string Processed = "processed";
    public const string Failed = "failed";
    public const string Rejected = "rejected";
    public const string TooOld = "too_old";
    public const string Duplicate = "duplicate";
    public const string DryRun = "dry_run";

    /// <summary>Dead-letter reasons.</summary>
    public static class Reasons
    {
        public const string EventFailed = "pinterest_event_failed";
        public const string TooOld = "too_old";
        public const string UnknownShop = "unknown_shop";
        public const string Undeserializable = "undeserializable";

        public static string Rejected(int status) => $"pinterest_rejected_{status}";
    }
}
