using Streaming.Contracts;
using Streaming.Replay.Cli;
using Streaming.Replay.Operations;
using Streaming.Replay.Shopify;

namespace Streaming.Replay.Setup;

/// <summary>What one run of <c>setup</c> was asked.</summary>
/// <param name="IngestUrl">Ingest's public address (scheme and host, maybe a path prefix).</param>
/// <param name="AdminUrl">The Admin GraphQL endpoint with {shop} and {version}; null: Shopify's.</param>
public sealed record SetupRequest(
    IReadOnlyList<ConnectedShop> Shops,
    IReadOnlyList<string> Topics,
    Uri IngestUrl,
    string? AdminUrl,
    bool DryRun,
    bool Remove,
    string? AppSecret)
{
    public string Address => $"{IngestUrl.ToString().TrimEnd('/')}/webhooks/shopify";
}

/// <summary>
/// <c>setup</c>: for each shop, lists the app's webhook subscriptions, plans what differs from one JSON
/// subscription per topic Ingest writes, prints the plan, and carries it out unless it is a dry run.
/// One shop's failure does not stop the others; the exit code is the first failure's.
/// </summary>
public sealed class SetupCommand(SetupRequest request, HttpClient http, TimeProvider clock, ILogger logger, TextWriter output, TextWriter error)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var code = ReplayCli.Done;
        foreach (var shop in request.Shops)
        {
            var domain = ServiceDefaults.Shops.Shop.Normalize(shop.Domain);
            try
            {
                var shopCode = await RunAsync(shop, domain, cancellationToken).ConfigureAwait(false);
                code = code == ReplayCli.Done ? shopCode : code;
            }
            catch (ShopifyAdminException e)
            {
                await error.WriteLineAsync($"error: {domain}: {e.Message}").ConfigureAwait(false);
                code = code == ReplayCli.Done ? ExitCode(e.Failure) : code;
            }
            catch (HttpRequestException e)
            {
                await error.WriteLineAsync($"error: {domain}: the Admin API did not answer ({e.Message}).").ConfigureAwait(false);
                code = code == ReplayCli.Done ? ReplayCli.Failed : code;
            }
        }

        return code;
    }

    public static int ExitCode(ShopifyAdminFailure failure) => failure switch
    {
        ShopifyAdminFailure.TokenRefused => ReplayCli.TokenRefused,
        ShopifyAdminFailure.MissingScope => ReplayCli.MissingScope,
        _ => ReplayCli.Failed,
    };

    private async Task<int> RunAsync(ConnectedShop shop, string domain, CancellationToken cancellationToken)
    {
        var endpoint = AdminGraphQl.EndpointFor(domain, ShopifyApi.Version, request.AdminUrl);
        var client = new WebhookSubscriptionsClient(new AdminGraphQl(http, endpoint, shop.AdminApiToken!, WebhookSubscriptionsClient.Scopes, clock, logger));
        var existing = await client.ListAsync(cancellationToken).ConfigureAwait(false);
        var plan = request.Remove
            ? SubscriptionPlan.Remove(request.Topics, request.Address, existing)
            : SubscriptionPlan.Subscribe(request.Topics, request.Address, existing);
        await output.WriteLineAsync($"{domain}: {existing.Count} subscription(s) of the app; {(request.Remove ? "removing" : "subscribing")} {request.Address}").ConfigureAwait(false);
        foreach (var step in plan.Steps)
        {
            await output.WriteLineAsync($"  {step}").ConfigureAwait(false);
        }

        var counts = new Dictionary<SubscriptionAction, int>();
        var made = new List<WebhookSubscription>();
        foreach (var step in plan.Steps)
        {
            counts[step.Action] = counts.GetValueOrDefault(step.Action) + 1;
            if (request.DryRun)
            {
                continue;
            }

            switch (step.Action)
            {
                case SubscriptionAction.Create:
                    made.Add(await client.CreateAsync(step.Topic, request.Address, cancellationToken).ConfigureAwait(false));
                    break;
                case SubscriptionAction.Update:
                    made.Add(await client.UpdateAsync(step.Existing!.Id, request.Address, cancellationToken).ConfigureAwait(false));
                    break;
                case SubscriptionAction.Delete:
                    await client.DeleteAsync(step.Existing!.Id, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    made.Add(step.Existing!);
                    break;
            }
        }

        var summary = string.Join(", ", Enum.GetValues<SubscriptionAction>().Select(a => $"{(request.DryRun ? Planned(a) : Done(a))} {counts.GetValueOrDefault(a)}"));
        await output.WriteLineAsync($"  {(plan.ChangesNothing ? "nothing to change: " : request.DryRun ? "dry run, nothing changed: " : "")}{summary}").ConfigureAwait(false);
        if (client.Shop.Throttled > 0)
        {
            await output.WriteLineAsync($"  Shopify throttled {client.Shop.Throttled} request(s); waited {client.Shop.Waited.TotalSeconds:0.#} s in all").ConfigureAwait(false);
        }

        if (request.Remove)
        {
            return ReplayCli.Done;
        }

        if (made.Where(s => s.ApiVersion is not null && s.ApiVersion != ShopifyApi.Version).Select(s => s.ApiVersion).Distinct().FirstOrDefault() is { } other)
        {
            await output.WriteLineAsync(
                $"  ! Shopify serializes these webhooks in {other}, the app's webhook API version; the pipeline is built for {ShopifyApi.Version}. " +
                "Set the app's webhook API version to it (the app's configuration, not the Admin API).").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"  {SigningCheck.Explanation}").ConfigureAwait(false);
        var (passed, line) = SigningCheck.Check(shop, request.AppSecret, request.Address);
        await output.WriteLineAsync($"  {line}").ConfigureAwait(false);
        return passed ? ReplayCli.Done : ReplayCli.Failed;
    }

    private static string Planned(SubscriptionAction action) => action switch
    {
        SubscriptionAction.Keep => "to keep",
        SubscriptionAction.Create => "to create",
        SubscriptionAction.Update => "to update",
        _ => "to delete",
    };

    private static string Done(SubscriptionAction action) => action switch
    {
        SubscriptionAction.Keep => "kept",
        SubscriptionAction.Create => "created",
        SubscriptionAction.Update => "updated",
        _ => "deleted",
    };
}
