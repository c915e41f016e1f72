using System.ComponentModel.DataAnnotations;

namespace Streaming.Enricher;

/// <summary>The <c>Enricher</c> configuration section.</summary>
public sealed class EnricherOptions
{
    public const string Section = "Enricher";

    [Required]
    public string GroupId { get; set; } = "pipeline-enricher";

    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);
}
