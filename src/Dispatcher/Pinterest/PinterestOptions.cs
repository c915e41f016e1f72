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

    /// <summary>
    /// Bytes of Pinterest's answer read at most. Its answers are small (a status per event, about 60 bytes
    /// each, so some 60 KiB for 1,000 events); a larger one is not read past this, and is taken as an
    /// unreadable answer: a memory bound whatever comes back from the endpoint or a proxy before it.
    /// </summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxAnswerBytes { get; set; } = 1024 * 1024;

    /// <summary>Where a dry run (a shop without a conversion token) appends each request it would send, one JSON line each.</summary>
    [Required]
    public string DryRunFile { get; set; } = "pinterest-dry-run.jsonl";

    /// <summary>
    /// The dry-run file's size at most. It holds what would be sent, shoppers' IP addresses and user agents
    /// included, so it must not grow without end: when a request would take it past this size it is
    /// renamed to <c>&lt;DryRunFile&gt;.1</c> (replacing the one before) and a new file begun. At most about
    /// twice this stays on disk; 100 MiB keeps some 100,000 events, days of a trial shop.
    /// </summary>
    [Range(1024, 1L << 40)]
    public long DryRunMaxBytes { get; set; } = 100L * 1024 * 1024;
}
