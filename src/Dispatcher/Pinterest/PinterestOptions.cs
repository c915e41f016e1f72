using System.ComponentModel.DataAnnotations;

namespace Streaming.Dispatcher.Pinterest;

/// <summary>The <c>Pinterest</c> configuration section.</summary>
public sealed class PinterestOptions
{
    public const string Section = "Pinterest";

    [Required]
    [Url]
    public string BaseUrl { get; set; } = "https://api.pinterest.com";

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where a dry run (a shop without a conversion token) appends each request it would send, one JSON line each.</summary>
    [Required]
    public string DryRunFile { get; set; } = "pinterest-dry-run.jsonl";
}
