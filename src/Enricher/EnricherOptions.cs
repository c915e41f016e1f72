using System.ComponentModel.DataAnnotations;
using Streaming.Kafka;
using Streaming.Kafka.State;

namespace Streaming.Enricher;

/// <summary>The <c>Enricher</c> configuration section.</summary>
public sealed class EnricherOptions : ConsumerGroupOptions
{
    public const string Section = "Enricher";

    public EnricherOptions() => GroupId = "pipeline-enricher";

    /// <summary>
    /// How long a server event with no session yet waits for a late storefront event, in event time on
    /// its partition (the newest record timestamp seen there).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest a server event waits by the wall clock, however quiet its partition.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan GraceWallClockCap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>State entries (sessions, cart contents, sent orders, checkout links) expire this long after their last change.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often expired entries are looked for; each round reads a bounded slice of each partition.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Required]
    public StateStoreOptions State { get; set; } = new();

    /// <summary>
    /// Write the state to its changelog topic and restore it from there when a partition moves. Off only
    /// for throwaway state (the replay tool's re-enrichment): a partition that moves then starts empty.
    /// </summary>
    public bool StateChangelog { get; set; } = true;
}
