using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Streaming.ServiceDefaults.Shops;

/// <summary>Finds a configured shop by its domain, whatever its case.</summary>
public sealed class ShopDirectory(IOptions<ShopsOptions> options)
{
    private readonly Dictionary<string, ShopOptions> _shops =
        options.Value.Items.ToDictionary(s => ShopsOptions.Normalize(s.Domain), StringComparer.Ordinal);

    public bool TryFind(string? domain, out ShopOptions shop)
    {
        shop = null!;
        return domain is not null && _shops.TryGetValue(ShopsOptions.Normalize(domain), out shop!);
    }
}

/// <summary>The <c>Shops</c> configuration list.</summary>
public sealed partial class ShopsOptions
{
    public const string Section = "Shops";

    public List<ShopOptions> Items { get; set; } = [];

    public static string Normalize(string domain) => domain.Trim().ToLowerInvariant();

    /// <summary>An origin as browsers send it (<c>https://host[:port]</c>, lowercase), or null when the text is no origin.</summary>
    public static string? NormalizeOrigin(string origin) =>
        Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)
        && uri.Scheme is "https" or "http"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    [GeneratedRegex(@"^\d{1,18}$")]
    internal static partial Regex AdAccountId();

    [GeneratedRegex(@"^\d{1,20}$")]
    internal static partial Regex TagId();
}

/// <summary>Refuses to start with a shop list that would fail on the first webhook instead.</summary>
public sealed class ShopsOptionsValidator : IValidateOptions<ShopsOptions>
{
    public ValidateOptionsResult Validate(string? name, ShopsOptions options)
    {
        var failures = new List<string>();
        if (options.Items.Count == 0)
        {
            failures.Add("Shops: configure at least one shop (Shops:0:Domain, Shops:0:WebhookSecrets:0, Shops:0:Pinterest:AdAccountId).");
        }

        for (var i = 0; i < options.Items.Count; i++)
        {
            var shop = options.Items[i];
            var at = $"Shops:{i}";
            if (string.IsNullOrWhiteSpace(shop.Domain))
            {
                failures.Add($"{at}:Domain is required, for example my-shop.myshopify.com.");
            }

            if (shop.WebhookSecrets.Count == 0 || shop.WebhookSecrets.Any(string.IsNullOrWhiteSpace))
            {
                failures.Add($"{at}:WebhookSecrets needs at least one secret, and none may be empty.");
            }

            foreach (var origin in shop.StorefrontOrigins.Where(o => ShopsOptions.NormalizeOrigin(o) is null))
            {
                failures.Add($"{at}:StorefrontOrigins: '{origin}' is not an origin; write scheme and host only, for example https://www.example.com.");
            }

            if (!ShopsOptions.AdAccountId().IsMatch(shop.Pinterest.AdAccountId ?? ""))
            {
                failures.Add($"{at}:Pinterest:AdAccountId must be 1 to 18 digits, not '{shop.Pinterest.AdAccountId}'.");
            }

            if (!string.IsNullOrEmpty(shop.Pinterest.TagId) && !ShopsOptions.TagId().IsMatch(shop.Pinterest.TagId))
            {
                failures.Add($"{at}:Pinterest:TagId must be the Pinterest Tag id, 1 to 20 digits, not '{shop.Pinterest.TagId}'.");
            }
        }

        failures.AddRange(options.Items
            .Where(s => !string.IsNullOrWhiteSpace(s.Domain))
            .GroupBy(s => ShopsOptions.Normalize(s.Domain))
            .Where(g => g.Count() > 1)
            .Select(g => $"Shops: {g.Key} is configured {g.Count()} times."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
