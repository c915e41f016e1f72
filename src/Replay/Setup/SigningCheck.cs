using System.Security.Cryptography;
using System.Text;
using Streaming.Contracts;
using Streaming.Replay.Operations;

namespace Streaming.Replay.Setup;

/// <summary>
/// Whether Ingest can verify what the subscriptions will send. Subscriptions an app makes through the
/// Admin API are signed with the app's API secret (its client secret), not with the key shown under
/// Settings › Notifications, which signs only the webhooks made by hand there. The Admin API has no
/// test delivery for app subscriptions, so the secret itself is compared when it is given, and otherwise
/// the tool says how to send a signed test with Shopify's CLI.
/// </summary>
public static class SigningCheck
{
    public const string Explanation =
        "Shopify signs the webhooks of these subscriptions with the app's API secret (the client secret of the app whose token was used), " +
        "not with the key shown under Settings > Notifications > Webhooks: put the app's secret in Shops:N:WebhookSecrets.";

    /// <summary>A line that starts with ✓ or ✗, and whether it passed.</summary>
    public static (bool Passed, string Line) Check(ConnectedShop shop, string? appSecret, string address)
    {
        if (shop.WebhookSecrets.Count == 0 || shop.WebhookSecrets.All(string.IsNullOrWhiteSpace))
        {
            return (false, "✗ Shops:N:WebhookSecrets is empty: Ingest refuses every webhook of this shop (401). Add the app's API secret.");
        }

        if (string.IsNullOrEmpty(appSecret))
        {
            return (true,
                "? The app's API secret was not given, so it was not compared (set it in an environment variable and name it with --app-secret-env). " +
                "To check from end to end, send a signed test to Ingest with Shopify's CLI: " +
                $"shopify app webhook trigger --topic {ShopifyTopics.OrdersCreate} --api-version {ShopifyApi.Version} --delivery-method http " +
                $"--address {address} --client-secret <the app's API secret>; Ingest answers 200 when one of WebhookSecrets matches, 401 when none does.");
        }

        var given = Encoding.UTF8.GetBytes(appSecret);
        return shop.WebhookSecrets.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(s), given))
            ? (true, "✓ Shops:N:WebhookSecrets holds the app's API secret: Ingest verifies these webhooks.")
            : (false, "✗ None of Shops:N:WebhookSecrets is the app's API secret: Ingest would answer 401 to every webhook and Shopify would delete the subscriptions after 8 failures. Add the app's secret (keep the old one while rotating).");
    }
}
