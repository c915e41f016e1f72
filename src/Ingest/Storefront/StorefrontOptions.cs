using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Streaming.Ingest.Storefront;

/// <summary>The <c>Storefront</c> configuration section: the public <c>/collect</c> endpoint.</summary>
public sealed class StorefrontOptions : IValidatableObject
{
    public const string Section = "Storefront";

    /// <summary>Largest envelope accepted; a Web Pixels event with a full checkout is well under 16 KiB.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Posts one client IP may make per minute (a token bucket: a page view fires a handful).</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerMinutePerClient { get; set; } = 600;

    /// <summary>
    /// An event whose <c>timestamp</c> lies further ahead than this is refused. The time is the shopper's
    /// device clock, not a server's, so it gets more room than <c>Ingest:MaxClockSkew</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An event whose <c>timestamp</c> is older than this is refused: Pinterest takes events of the last 7 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00")]
    public TimeSpan MaxEventAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Networks of proxies in front of Ingest (CIDR, for example <c>10.0.0.0/8</c>). Only a peer in one of
    /// them is believed about X-Forwarded-For; anyone else could forge it.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>
    /// Ingest's address as shoppers' browsers reach it (for example <c>https://track.example.com</c>), written
    /// into <c>/pixel.js</c> as where to post events. Empty: the scheme and host of the request for the script.
    /// </summary>
    public string? PublicUrl { get; set; }

    public IReadOnlyList<IPNetwork> TrustedProxyNetworks =>
        [.. TrustedProxies.Select(p => IPNetwork.TryParse(p, out var network) ? network : default)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in TrustedProxies.Where(p => !IPNetwork.TryParse(p, out _)))
        {
            yield return new ValidationResult($"'{proxy}' is not a network in CIDR notation, for example 10.0.0.0/8.", [nameof(TrustedProxies)]);
        }

        if (!string.IsNullOrWhiteSpace(PublicUrl)
            && !(Uri.TryCreate(PublicUrl, UriKind.Absolute, out var url) && url.Scheme is "https" or "http" && url.Query.Length == 0))
        {
            yield return new ValidationResult($"'{PublicUrl}' is not an http(s) address, for example https://track.example.com.", [nameof(PublicUrl)]);
        }
    }
}
