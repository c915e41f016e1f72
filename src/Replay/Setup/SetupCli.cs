using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Streaming.Contracts;
using Streaming.Replay.Backfill;
using Streaming.Replay.Cli;
using Streaming.Replay.Operations;

namespace Streaming.Replay.Setup;

/// <summary>The <c>setup</c> command's options, and the checks made before Shopify is asked anything.</summary>
public sealed class SetupCli
{
    public SetupCli()
    {
        // In the order help lists them.
        foreach (var option in new Option[] { Shop, IngestUrl, DryRun, Remove, AppSecretEnv, AdminUrl, Config })
        {
            Command.Options.Add(option);
        }
    }

    public Command Command { get; } = new(
        "setup",
        $"Subscribe each shop's webhooks to Ingest through the Admin GraphQL API ({ShopifyApi.Version}): one JSON subscription per topic Ingest writes. " +
        "Lists what exists and changes only what differs, so it can be run again. Needs Shops:N:AdminApiToken (scope read_orders).");

    public Option<string[]> Shop { get; } = new("--shop")
    {
        Description = "The shop(s) to set up, by myshopify.com domain. Default: every configured shop.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> IngestUrl { get; } = new("--ingest-url")
    {
        Description = "Ingest's public https address, as Shopify reaches it (https://track.example.com); webhooks go to <it>/webhooks/shopify. Default: Storefront:PublicUrl.",
    };

    public Option<bool> DryRun { get; } = new("--dry-run") { Description = "Print the plan and change nothing." };

    public Option<bool> Remove { get; } = new("--remove") { Description = "Delete the subscriptions of Ingest's topics that deliver to this Ingest; the app's others stay." };

    public Option<string> AppSecretEnv { get; } = new("--app-secret-env")
    {
        Description = "The environment variable that holds the app's API secret, to check that Shops:N:WebhookSecrets can verify the webhooks. Never given on the command line itself.",
        DefaultValueFactory = _ => "SHOPIFY_API_SECRET",
    };

    public Option<string> AdminUrl { get; } = new("--admin-url")
    {
        Description = "The Admin GraphQL endpoint; {shop} and {version} are filled in. Default: https://{shop}/admin/api/{version}/graphql.json.",
    };

    public Option<string[]> Config { get; } = new("--config")
    {
        Description = "The pipeline's configuration file(s) (Shops, Storefront, Ingest). appsettings.json in the working directory and environment variables are read too.",
        AllowMultipleArgumentsPerToken = true,
    };

    public async Task<int> RunAsync(ParseResult parsed, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var configFiles = parsed.GetValue(Config) ?? [];
        if (configFiles.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            return await BadAsync(error, $"--config {missing}: no such file.");
        }

        var builder = ReplayHost.CreateBuilder(configFiles, new Dictionary<string, string?>());
        var configuration = builder.Configuration;
        var (shops, problem) = ShopSelection.Select(ConnectedShop.From(configuration), parsed.GetValue(Shop) ?? []);
        if (problem is not null)
        {
            return await BadAsync(error, problem);
        }

        if (shops.FirstOrDefault(s => string.IsNullOrWhiteSpace(s.AdminApiToken)) is { } tokenless)
        {
            return await BadAsync(error, $"{tokenless.Domain} has no Admin API token (Shops:N:AdminApiToken): create a custom app on the shop with the scope read_orders, install it, and put its Admin API access token there.");
        }

        var ingestText = parsed.GetValue(IngestUrl) ?? configuration["Storefront:PublicUrl"];
        if (string.IsNullOrWhiteSpace(ingestText))
        {
            return await BadAsync(error, "Ingest's public address is not known: give --ingest-url https://track.example.com, or set Storefront:PublicUrl.");
        }

        if (!Uri.TryCreate(ingestText, UriKind.Absolute, out var ingest) || ingest.Scheme != Uri.UriSchemeHttps || ingest.Query.Length > 0)
        {
            return await BadAsync(error, $"'{ingestText}' is not an https address without a query: Shopify delivers webhooks over https only.");
        }

        var adminUrl = parsed.GetValue(AdminUrl);
        if (adminUrl is not null && !Uri.TryCreate(adminUrl.Replace("{shop}", "shop.example", StringComparison.Ordinal).Replace("{version}", "v", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            return await BadAsync(error, $"--admin-url '{adminUrl}' is not an absolute URL.");
        }

        var remove = parsed.GetValue(Remove);
        var topics = configuration.GetSection("Ingest:WrittenTopics").Get<List<string>>() is { Count: > 0 } written ? written : [.. ShopifyTopics.Written];
        var request = new SetupRequest(shops, topics, ingest, adminUrl, parsed.GetValue(DryRun), remove, Environment.GetEnvironmentVariable(parsed.GetValue(AppSecretEnv)!));
        using var host = builder.Build();
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ShopifyAdminClient.HttpClientName);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Streaming.Replay.Setup");
        return await new SetupCommand(request, http, host.Services.GetRequiredService<TimeProvider>(), logger, output, error).RunAsync(cancellationToken);
    }

    private static async Task<int> BadAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"error: {message}");
        return ReplayCli.BadArguments;
    }
}
