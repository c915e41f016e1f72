using Microsoft.Extensions.Options;

namespace Streaming.ServiceDefaults.Shops;

/// <summary>The <c>Shops</c> configuration list, as one service binds it.</summary>
public sealed class ShopList<TShop>
    where TShop : Shop
{
    public const string Section = "Shops";

    public List<TShop> Items { get; set; } = [];
}

/// <summary>Refuses to start with a shop list that would fail on the first request instead.</summary>
public sealed class ShopListValidator<TShop> : IValidateOptions<ShopList<TShop>>
    where TShop : Shop
{
    public ValidateOptionsResult Validate(string? name, ShopList<TShop> options)
    {
        var failures = new List<string>();
        if (options.Items.Count == 0)
        {
            failures.Add("Shops: configure at least one shop (Shops:0:Domain and the settings of each service).");
        }

        for (var i = 0; i < options.Items.Count; i++)
        {
            var shop = options.Items[i];
            if (string.IsNullOrWhiteSpace(shop.Domain))
            {
                failures.Add($"Shops:{i}:Domain is required, for example my-shop.myshopify.com.");
            }

            failures.AddRange(shop.Problems($"Shops:{i}"));
        }

        failures.AddRange(options.Items
            .Where(s => !string.IsNullOrWhiteSpace(s.Domain))
            .GroupBy(s => Shop.Normalize(s.Domain))
            .Where(g => g.Count() > 1)
            .Select(g => $"Shops: {g.Key} is configured {g.Count()} times."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
