using System.ComponentModel.DataAnnotations;
using Streaming.Kafka.State;

namespace Streaming.Dispatcher;

/// <summary>The <c>Dispatcher</c> configuration section.</summary>
public sealed class DispatcherOptions
{
    public const string Section = "Dispatcher";

    [Required]
    public string GroupId { get; set; } = "pipeline-dispatcher";

    /// <summary>
    /// How long a shop's first event waits for others to share its request. Lower: less latency, more
    /// requests at low rates. Under load requests fill to <see cref="MaxEventsPerRequest"/> before this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:30")]
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Shortens the linger while the ad account is quiet: its requests go at once while its events arrive at
    /// under half of <see cref="RequestsPerMinute"/>, gather longer as the rate rises, and for the whole
    /// <see cref="Linger"/> from the budget on (see <c>Delivery/AdaptiveLinger</c>). False: always the whole linger.
    /// </summary>
    public bool AdaptiveLinger { get; set; } = true;

    /// <summary>Events in one request; Pinterest takes at most 1,000.</summary>
    [Range(1, 1000)]
    public int MaxEventsPerRequest { get; set; } = 1000;

    /// <summary>
    /// Bytes of one request's body at most: events are packed so that no request carries more (an event
    /// larger than this on its own still goes, alone). Pinterest documents no byte limit that we know of,
    /// but proxies and gateways in front of an API commonly refuse bodies above a few MiB with 413; 4 MiB
    /// is under the usual defaults while a full request of 1,000 typical events (about 1 KiB each) fits.
    /// A 413 is halved like a 400 whatever this is, so a lower limit on the way costs retries, not events.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Records of one partition read but not yet finished. Past it the partition is paused until half of
    /// them are finished: memory stays bounded while one shop is held back.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxInFlightPerPartition { get; set; } = 20_000;

    /// <summary>Requests to Pinterest in flight at once, across all ad accounts.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>Calls per minute per ad account; Pinterest documents 5,000.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 5000;

    /// <summary>The first wait after a failure; it doubles with each further failure of the ad account.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts of a failing ad account (jitter included).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait a 429's Retry-After or X-RateLimit-Reset is honoured for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The wait after Pinterest said its endpoint is ramped down (503, code 4197).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "06:00:00")]
    public TimeSpan RampedDownBackoff { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Events older than this (by event_time) are dead-lettered as too old, never sent. Pinterest is said
    /// not to count them (7 days, third-party sources); a longer window only suits a replay of fixtures.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long an accepted event id is remembered; at least Pinterest's window, so a replay cannot send it again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(8);

    /// <summary>How long a partition being handed over waits for its requests already sent to be answered.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan HandOverTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long the group's coordinator may stay silent before no request starts (see
    /// <c>Delivery/GroupMembership</c>). Keep it, plus one second of statistics and
    /// <c>Pinterest:RequestTimeout</c> for a request already out, under the brokers' consumer session
    /// timeout (45 s by default): 10 + 1 + 30 = 41 s. Then nothing is sent after another member may own
    /// the partition. Heartbeats come every 5 s by default, so 10 s is two missed ones.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:02", "00:10:00")]
    public TimeSpan MembershipDoubtAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the delivered-id stores live (one RocksDB per partition) and how much memory they take.</summary>
    public StateStoreOptions State { get; set; } = new();
}
