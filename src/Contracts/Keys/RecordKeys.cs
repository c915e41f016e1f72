namespace Streaming.Contracts;

/// <summary>
/// The Kafka keys of the pipeline's records, built here only. Co-partitioning is correct only while every
/// writer agrees: a cart's webhooks and storefront events must hash to the same partition number of their
/// topics, and a Pinterest event and its delivered id to the same partition of theirs.
/// </summary>
public static class RecordKeys
{
    private const char Separator = '/';

    /// <summary>
    /// shopify.webhooks and storefront.events: <c>&lt;shop&gt;/&lt;cart token&gt;</c> where there is a cart,
    /// else <c>&lt;shop&gt;/&lt;the record's own id&gt;</c>.
    /// </summary>
    public static string Cart(string shopDomain, string cartTokenOrOwnId) => $"{shopDomain}{Separator}{cartTokenOrOwnId}";

    /// <summary>pinterest.events and the enrichment outcomes: <c>&lt;shop&gt;/&lt;event id&gt;</c>.</summary>
    public static string Event(string shopDomain, string eventId) => $"{shopDomain}{Separator}{eventId}";

    /// <summary>The dispatcher's delivered ids and their changelog: <c>&lt;ad account&gt;/&lt;event id&gt;</c>.</summary>
    public static string Delivered(string adAccountId, string eventId) => $"{adAccountId}{Separator}{eventId}";

    /// <summary>
    /// A record of the delivered-id changelog that carries a request's ids on one partition:
    /// <c>&lt;ad account&gt;/&lt;first event id&gt;@&lt;accepted at, ms&gt;</c>. Unique in practice, so that a
    /// changelog still compacted by key (one written before these records) does not drop one for another.
    /// </summary>
    public static string DeliveredRequest(string adAccountId, string firstEventId, DateTime acceptedAt) =>
        $"{Delivered(adAccountId, firstEventId)}@{new DateTimeOffset(acceptedAt, TimeSpan.Zero).ToUnixTimeMilliseconds()}";

    /// <summary>The ad account of a delivered-id store or changelog key; null where the key names none.</summary>
    public static string? DeliveredAdAccount(string key) => FirstPart(key);

    /// <summary>The event id of a delivered-id store key (<see cref="Delivered"/>).</summary>
    public static string DeliveredEventId(string key) => key[(key.IndexOf(Separator, StringComparison.Ordinal) + 1)..];

    /// <summary>
    /// A compliance request's copy on shopify.webhooks and the parts of its answer on pipeline.privacy:
    /// <c>&lt;shop&gt;/privacy:&lt;webhook id&gt;</c>. The copies are written to each partition by number,
    /// not by this key's hash: the only records of the webhook topic that are.
    /// </summary>
    public static string Privacy(string shopDomain, string webhookId) => $"{shopDomain}{Separator}privacy:{webhookId}";

    /// <summary>
    /// A dead letter: <c>&lt;source topic&gt;/&lt;partition&gt;/&lt;offset&gt;</c>, one key per letter, so that a
    /// redacted copy written under the same key supersedes the original when the topic is compacted.
    /// </summary>
    public static string DeadLetter(string sourceTopic, int sourcePartition, long sourceOffset) =>
        $"{sourceTopic}{Separator}{sourcePartition}{Separator}{sourceOffset}";

    /// <summary>The shop a cart or event key names, or null for a key of another shape.</summary>
    public static string? ShopOf(string key) => FirstPart(key);

    // Every key begins with its owner (a shop or an ad account) and the separator.
    private static string? FirstPart(string key) =>
        key.IndexOf(Separator, StringComparison.Ordinal) is var at and > 0 ? key[..at] : null;
}
