using Streaming.Replay.Shopify;

namespace Streaming.Replay.Tests;

/// <summary>
/// <c>setup</c> against a fake Admin API over loopback HTTP: it subscribes the topics Ingest writes
/// and nothing twice, changes only what differs, plans without changing on a dry run, takes its own
/// subscriptions away on <c>--remove</c>, waits out throttling, and fails with its own exit code and a
/// message naming the fix for a refused token and for a missing scope.
/// </summary>
public sealed class SetupTests : IAsyncLifetime
{
    private const string Shop = "test-shop.myshopify.com";
    private const string Ingest = "https://track.example.com";
    private const string Address = Ingest + "/webhooks/shopify";

    private readonly string _secretVariable = $"SETUP_TEST_SECRET_{Guid.NewGuid():N}";
    private FakeWebhookAdmin _shopify = null!;
    private ReplayTool _tool = null!;

    public async Task InitializeAsync()
    {
        _shopify = await FakeWebhookAdmin.StartAsync();
        _tool = new ReplayTool(new Dictionary<string, string?>
        {
            ["Shops:0:Domain"] = Shop,
            ["Shops:0:AdminApiToken"] = FakeWebhookAdmin.Token,
            ["Shops:0:WebhookSecrets:0"] = "the-app-secret",
            ["Shops:0:Pinterest:AdAccountId"] = "549755813888",
            ["Storefront:PublicUrl"] = Ingest,
        });
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_secretVariable, null);
        _tool.Dispose();
        await _shopify.DisposeAsync();
    }

    private Task<ReplayTool.Result> SetupAsync(params string[] args) =>
        _tool.RunAsync(["setup", "--admin-url", _shopify.Endpoint, "--app-secret-env", _secretVariable, .. args]);

    private IEnumerable<string> Subscribed() =>
        _shopify.Subscriptions.Values.Where(s => s["uri"]!.GetValue<string>() == Address).Select(s => s["topic"]!.GetValue<string>()).Order(StringComparer.Ordinal);

    private static IEnumerable<string> Written() => ShopifyTopics.Written.Select(WebhookSubscription.EnumOf).Order(StringComparer.Ordinal);

    /// <summary>A run Shopify refuses: it ends with <paramref name="exitCode"/>, names each of <paramref name="named"/> on stderr, and subscribes nothing.</summary>
    private async Task AssertRefusedAsync(int exitCode, params string[] named)
    {
        var run = await SetupAsync();

        Assert.Equal(exitCode, run.ExitCode);
        Assert.All(named, n => Assert.Contains(n, run.Error, StringComparison.Ordinal));
        Assert.Empty(_shopify.Subscriptions);
    }

    [Fact]
    public async Task A_shop_without_subscriptions_gets_one_per_topic_Ingest_writes_and_a_second_run_changes_nothing()
    {
        var first = await SetupAsync();

        Assert.True(first.ExitCode == ReplayCli.Done, first.ToString());
        Assert.Equal(Written(), Subscribed());
        Assert.Equal(ShopifyTopics.Written.Count, _shopify.Changes.Count());
        Assert.All(_shopify.Versions, v => Assert.Equal(ShopifyApi.Version, v));
        Assert.Contains("not with the key shown under Settings > Notifications", first.Output, StringComparison.Ordinal);
        Assert.Contains("shopify app webhook trigger", first.Output, StringComparison.Ordinal);

        var before = _shopify.Changes.Count();
        var second = await SetupAsync();

        Assert.True(second.ExitCode == ReplayCli.Done, second.ToString());
        Assert.Equal(before, _shopify.Changes.Count());
        Assert.Contains("nothing to change", second.Output, StringComparison.Ordinal);
        Assert.Equal(ShopifyTopics.Written.Count, _shopify.Subscriptions.Count);
    }

    [Fact]
    public async Task A_partial_set_is_completed_a_moved_address_updated_a_duplicate_deleted_and_the_apps_other_topics_left_alone()
    {
        var kept = _shopify.Add("ORDERS_CREATE", Address);
        var moved = _shopify.Add("ORDERS_PAID", "https://old-ingest.example.com/webhooks/shopify");
        var duplicate = _shopify.Add("ORDERS_CREATE", Address);
        var other = _shopify.Add("APP_UNINSTALLED", "https://app.example.com/uninstalled");

        var run = await SetupAsync();

        Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        Assert.Equal(Written(), Subscribed());
        Assert.Contains(kept, _shopify.Subscriptions.Keys);
        Assert.Equal(Address, _shopify.Subscriptions[moved]["uri"]!.GetValue<string>());
        Assert.DoesNotContain(duplicate, _shopify.Subscriptions.Keys);
        Assert.Contains(other, _shopify.Subscriptions.Keys);
        // Every written topic but the two already there (orders/create kept, orders/paid moved) is created.
        Assert.Equal(ShopifyTopics.Written.Count - 2, _shopify.Changes.Count(c => c.StartsWith("create", StringComparison.Ordinal)));
        Assert.Equal([$"update {moved}"], _shopify.Changes.Where(c => c.StartsWith("update", StringComparison.Ordinal)));
        Assert.Equal([$"delete {duplicate}"], _shopify.Changes.Where(c => c.StartsWith("delete", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_dry_run_prints_the_plan_and_changes_nothing()
    {
        _shopify.Add("ORDERS_CREATE", Address);

        var run = await SetupAsync("--dry-run");

        Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        Assert.Empty(_shopify.Changes);
        Assert.Single(_shopify.Subscriptions);
        Assert.Contains("create orders/paid", run.Output.Replace("  ", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains($"to create {ShopifyTopics.Written.Count - 1}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_deletes_the_subscriptions_to_this_Ingest_and_keeps_the_apps_others()
    {
        await SetupAsync();
        var other = _shopify.Add("ORDERS_CREATE", "https://someone-else.example.com/hooks");

        var run = await SetupAsync("--remove");

        Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        Assert.Empty(Subscribed());
        Assert.Equal([other], _shopify.Subscriptions.Keys);
    }

    [Fact]
    public async Task Throttled_answers_are_waited_out_and_asked_again()
    {
        _shopify.ThrottledCalls.Add(1);
        _shopify.ThrottledCalls.Add(3);

        var run = await SetupAsync();

        Assert.True(run.ExitCode == ReplayCli.Done, run.ToString());
        Assert.Equal(Written(), Subscribed());
        Assert.Equal(2, _shopify.Operations.Count(o => o == "throttled"));
        Assert.Contains("Shopify throttled 2 request(s)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_token_fails_with_its_own_exit_code_and_says_which_setting()
    {
        _tool.Settings["Shops:0:AdminApiToken"] = "shpat_wrong";

        await AssertRefusedAsync(ReplayCli.TokenRefused, "refused the Admin API token", "Shops:N:AdminApiToken");
    }

    [Fact]
    public async Task A_token_without_the_scope_fails_with_its_own_exit_code_and_names_the_scope()
    {
        _shopify.DenyScope = true;

        await AssertRefusedAsync(ReplayCli.MissingScope, "read_orders", "install it on the shop again");
    }

    [Fact]
    public async Task A_topic_the_app_may_not_subscribe_to_is_a_missing_scope_too()
    {
        _shopify.DenyTopicInUserErrors = true;

        await AssertRefusedAsync(ReplayCli.MissingScope, "You do not have permission", "read_orders");
    }

    [Fact]
    public async Task The_apps_secret_is_compared_with_the_shops_webhook_secrets()
    {
        Environment.SetEnvironmentVariable(_secretVariable, "another-secret");
        var wrong = await SetupAsync();

        Assert.Equal(ReplayCli.Failed, wrong.ExitCode);
        Assert.Contains("✗ None of Shops:N:WebhookSecrets is the app's API secret", wrong.Output, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(_secretVariable, "the-app-secret");
        var right = await SetupAsync();

        Assert.True(right.ExitCode == ReplayCli.Done, right.ToString());
        Assert.Contains("✓ Shops:N:WebhookSecrets holds the app's API secret", right.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shop_without_an_Admin_token_or_an_http_Ingest_address_is_refused_before_Shopify_is_asked()
    {
        var http = await SetupAsync("--ingest-url", "http://track.example.com");
        _tool.Settings["Shops:0:AdminApiToken"] = null;
        var tokenless = await SetupAsync();

        Assert.Equal(ReplayCli.BadArguments, http.ExitCode);
        Assert.Contains("https", http.Error, StringComparison.Ordinal);
        Assert.Equal(ReplayCli.BadArguments, tokenless.ExitCode);
        Assert.Contains("Shops:N:AdminApiToken", tokenless.Error, StringComparison.Ordinal);
        Assert.Empty(_shopify.Operations);
    }
}
