using System.ComponentModel.DataAnnotations;

namespace Streaming.Platform.Kafka;

/// <summary>How a service's consumer group reads: the part of its configuration section every consuming service has.</summary>
public abstract class ConsumerGroupOptions
{
    [Required]
    public string GroupId { get; set; } = "";

    /// <summary>The most records handled as one batch.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>How long a batch may wait to fill up after its first record.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The cap on the wait between retries of a batch that failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
