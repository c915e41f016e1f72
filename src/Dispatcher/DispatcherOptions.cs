using System.ComponentModel.DataAnnotations;

namespace Streaming.Dispatcher;

/// <summary>The <c>Dispatcher</c> configuration section.</summary>
public sealed class DispatcherOptions
{
    public const string Section = "Dispatcher";

    [Required]
    public string GroupId { get; set; } = "pipeline-dispatcher";

    /// <summary>Records read before a send; split per shop into requests of at most 1,000 events (Pinterest's limit).</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long a batch may wait to fill up after its first record.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(60);
}
