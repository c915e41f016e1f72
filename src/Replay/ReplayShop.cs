using System.Text.RegularExpressions;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay;

/// <summary>
/// A shop as the replay tool knows it (an entry of <c>Shops</c>): the Admin API token the backfill reads
/// orders with, and the ad account whose accepted ids a run must not send again.
/// </summary>
public sealed partial class ReplayShop : Shop
{
    /// <summary>
    /// Admin API access token (scope <c>read_orders</c>) for the install-time backfill, which reads the shop's
    /// recent orders. The pipeline itself never calls Shopify.
    /// </summary>
    public string? AdminApiToken { get; set; }

    public ReplayShopPinterest Pinterest { get; set; } = new();

    public override IEnumerable<string> Problems(string at)
    {
        if (!AdAccountIdPattern().IsMatch(Pinterest.AdAccountId ?? ""))
        {
            yield return $"{at}:Pinterest:AdAccountId must be 1 to 18 digits, not '{Pinterest.AdAccountId}'.";
        }
    }

    [GeneratedRegex(@"^\d{1,18}$")]
    private static partial Regex AdAccountIdPattern();
}

/// <summary><c>Shops:N:Pinterest</c> as the replay tool reads it: the ad account, never the conversion token.</summary>
public sealed class ReplayShopPinterest
{
    public string AdAccountId { get; set; } = "";
}
