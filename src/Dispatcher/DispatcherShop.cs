using System.Text.RegularExpressions;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Dispatcher;

/// <summary>A shop as the dispatcher knows it (an entry of <c>Shops</c>): where its conversions go.</summary>
public sealed partial class DispatcherShop : Shop
{
    public DispatcherShopPinterest Pinterest { get; set; } = new();

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

/// <summary><c>Shops:N:Pinterest</c> as the dispatcher reads it.</summary>
public sealed class DispatcherShopPinterest
{
    /// <summary>Pinterest ad account id: digits only, at most 18.</summary>
    public string AdAccountId { get; set; } = "";

    /// <summary>Conversion access token from Pinterest Ads Manager. Empty: dry run, requests are only logged and written to a file.</summary>
    public string? ConversionToken { get; set; }

    /// <summary>Send with <c>?test=true</c>: Pinterest validates the events but records none.</summary>
    public bool TestMode { get; set; }
}
