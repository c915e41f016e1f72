using System.ComponentModel.DataAnnotations;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>The <c>Pinterest</c> configuration section.</summary>
public sealed class PinterestOptions
{
    public const string Section = "Pinterest";

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://api.pinterest.com";

    /// <summary>How long one attempt may take; a request that takes longer is tried again by its lane.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of an ad account within 30 s before its circuit may open (at half of them failing).</summary>
    [Range(2, 10_000)]
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit refuses an ad account's requests before one is let through again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "00:10:00")]
    public TimeSpan CircuitBreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Where a dry run (a shop without a conversion token) appends each request it would send, one JSON line each.</summary>
    [Required]
    public string DryRunFile { get; set; } = "pinterest-dry-run.jsonl";
}
