using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Streaming.ServiceDefaults.Shops;

public static class ShopRegistration
{
    /// <summary>
    /// Binds the <c>Shops</c> list as <typeparamref name="TShop"/> (only that service's settings of each
    /// shop), checks it at start, and offers a <see cref="ShopDirectory{TShop}"/>. A reloaded list reaches
    /// <see cref="IOptionsMonitor{TOptions}"/>: a shop paused for a refused token resumes with a new one.
    /// </summary>
    public static IHostApplicationBuilder AddShops<TShop>(this IHostApplicationBuilder builder)
        where TShop : Shop
    {
        // Once per kind of shop, however many services of one process ask: binding twice would list each shop twice.
        if (!builder.Properties.TryAdd(typeof(ShopList<TShop>), true))
        {
            return builder;
        }

        var section = builder.Configuration.GetSection(ShopList<TShop>.Section);
        builder.Services.AddOptions<ShopList<TShop>>()
            .Configure(o => section.Bind(o.Items))
            .ValidateOnStart();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<ShopList<TShop>>>(new ConfigurationChangeTokenSource<ShopList<TShop>>(section));
        builder.Services.AddSingleton<IValidateOptions<ShopList<TShop>>, ShopListValidator<TShop>>();
        builder.Services.AddSingleton<ShopDirectory<TShop>>();
        return builder;
    }
}
