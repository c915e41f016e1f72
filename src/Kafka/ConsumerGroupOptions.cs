using System.ComponentModel.DataAnnotations;

namespace Streaming.Kafka;

/// <summary>How a service's consumer group reads: the part of its configuration section every consuming service has.</summary>
public abstract class ConsumerGroupOptions
{
    [Required]
    public string GroupId { get; set; } = "";

    /// <summary>The most records handled as one batch.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>
    /// How long a batch may wait for more records after its first. Zero: a batch is what the client has
    /// already fetched, which under load fills it anyway, and at low rates adds no wait to each hop.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>The cap on the wait between retries of a batch that failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
