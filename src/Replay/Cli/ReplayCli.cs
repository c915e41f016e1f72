using System.CommandLine;
using System.CommandLine.Help;
using Streaming.Contracts;
using Streaming.Records;
using Streaming.Replay.Backfill;
using Streaming.Replay.Doctor;
using Streaming.Replay.Reenrich;
using Streaming.Replay.Resend;
using Streaming.Replay.Setup;

namespace Streaming.Replay.Cli;

/// <summary>
/// The commands: <c>resend</c>, <c>reenrich</c>, <c>backfill</c>, <c>setup</c>, <c>doctor</c>. Exit codes: 0 done
/// (doctor: every check passed), 1 the run failed (the cluster, Shopify; doctor: a check failed), 2 the command
/// line or the configuration is wrong (nothing was read or written), 3 Shopify refused the Admin API token,
/// 4 the token's app lacks a scope.
/// </summary>
public static class ReplayCli
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int BadArguments = 2;

    /// <summary>Shopify refused the Admin API token (401/403).</summary>
    public const int TokenRefused = 3;

    /// <summary>Shopify took the token but its app lacks a scope (ACCESS_DENIED, or a mutation's userErrors saying so).</summary>
    public const int MissingScope = 4;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool terminal, CancellationToken cancellationToken)
    {
        var reasons = new Option<string[]>("--reason")
        {
            Description = "Dead-letter reasons to take, for example pinterest_rejected_401 (several: repeat the option or separate with spaces). Only with --topic naming the dead-letter topic. Default: every reason.",
            AllowMultipleArgumentsPerToken = true,
        };
        var lookback = new Option<string>("--lookback")
        {
            Description = "How long before --from to start reading (2d, 12h, 30m), so that sessions and carts begun earlier are known again; events of that lead-in are not sent.",
            DefaultValueFactory = _ => "1d",
        };
        var adminUrl = new Option<string>("--admin-url")
        {
            Description = "The Admin GraphQL endpoint; {shop} and {version} are filled in. Default: https://{shop}/admin/api/{version}/graphql.json.",
        };
        var apiVersion = new Option<string>("--api-version") { Description = "Shopify Admin API version (2026-07 or later: it has the order's cart token).", DefaultValueFactory = _ => ShopifyApi.Version };
        var pageSize = new Option<int>("--page-size")
        {
            Description = "Orders per Admin API request, 1 to 250. Each order costs about 50 points with its line items, and one query may cost 1,000 at most.",
            DefaultValueFactory = _ => 15,
        };

        var resend = new Command("resend", "Write again the Pinterest events of a time range that Pinterest has not accepted, read from pinterest.events or from the dispatcher's dead letters.");
        var resendOptions = new CommonOptions(resend, defaultFrom: null, topicHelp: "pinterest.events (the default) and/or the dead-letter topic", withResend: true);
        resend.Options.Add(reasons);

        var reenrich = new Command("reenrich", "Run the raw webhooks and storefront events of a time range through the enricher's logic again, and send the resulting events Pinterest has not accepted.");
        var reenrichOptions = new CommonOptions(reenrich, defaultFrom: null, topicHelp: "shopify.webhooks and storefront.events (the default: both)", withResend: true);
        reenrich.Options.Add(lookback);

        var backfill = new Command("backfill", "Read a newly installed shop's orders from the Shopify Admin GraphQL API and feed them in as orders/create records marked as backfill.");
        var backfillOptions = new CommonOptions(backfill, defaultFrom: "-7d", topicHelp: null, withResend: false);
        backfill.Options.Add(adminUrl);
        backfill.Options.Add(apiVersion);
        backfill.Options.Add(pageSize);

        var setup = new SetupCli();
        var doctor = new DoctorCli();
        var root = new RootCommand(
            "Replay and backfill for the Shopify to Pinterest pipeline. Reads the pipeline's own configuration, and writes only to the topics the pipeline " +
            "reads, so the dispatcher's rate limits and its store of accepted event ids apply to everything it sends.")
        {
            resend,
            reenrich,
            backfill,
            setup.Command,
            doctor.Command,
        };

        var parsed = root.Parse(args);
        if (parsed.Action is HelpAction)
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        }

        if (parsed.Errors.Count > 0)
        {
            foreach (var parseError in parsed.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync("Run with --help for the commands and their options.");
            return BadArguments;
        }

        var command = parsed.CommandResult.Command;
        if (command == setup.Command)
        {
            return await setup.RunAsync(parsed, output, error, cancellationToken);
        }

        if (command == doctor.Command)
        {
            return await doctor.RunAsync(parsed, output, error, cancellationToken);
        }

        if (command == resend)
        {
            var taken = parsed.GetValue(reasons) ?? [];
            return await new Invocation(parsed, resendOptions, output, error, terminal).RunAsync(new CommandSpec(
                "resend",
                topics => [topics[PinterestEvent.KafkaTopic].Name],
                topics => [topics[PinterestEvent.KafkaTopic].Name, topics[DeadLetter.KafkaTopic].Name],
                (request, topics) => taken.Length > 0 && !request.Topics.Contains(topics[DeadLetter.KafkaTopic].Name)
                    ? $"--reason selects dead letters: add --topic {topics[DeadLetter.KafkaTopic].Name}."
                    : null,
                context => new ResendCommand(context).RunAsync(cancellationToken))
            {
                Reasons = taken,
            }, cancellationToken);
        }

        if (command == reenrich)
        {
            return await new Invocation(parsed, reenrichOptions, output, error, terminal).RunAsync(new CommandSpec(
                "reenrich",
                topics => [topics[ShopifyWebhook.KafkaTopic].Name, topics[StorefrontEvent.KafkaTopic].Name],
                topics => [topics[ShopifyWebhook.KafkaTopic].Name, topics[StorefrontEvent.KafkaTopic].Name],
                (_, _) => null,
                context => new ReenrichCommand(context).RunAsync(cancellationToken))
            {
                Lookback = parsed.GetValue(lookback),
            }, cancellationToken);
        }

        var size = parsed.GetValue(pageSize);
        var template = parsed.GetValue(adminUrl);
        return await new Invocation(parsed, backfillOptions, output, error, terminal).RunAsync(new CommandSpec(
            "backfill",
            _ => [],
            _ => [],
            (request, _topics) =>
            {
                if (size is < 1 or > 250)
                {
                    return $"--page-size must be between 1 and 250, not {size}.";
                }

                if (template is not null && !Uri.TryCreate(template.Replace("{shop}", "shop.example", StringComparison.Ordinal).Replace("{version}", "v", StringComparison.Ordinal), UriKind.Absolute, out _))
                {
                    return $"--admin-url '{template}' is not an absolute URL.";
                }

                return request.Shops.Count == 0 ? "backfill needs --shop: name the shop(s) just installed." : null;
            },
            context => new BackfillCommand(context, template is null ? null : new Uri(template), parsed.GetValue(apiVersion)!, size).RunAsync(cancellationToken))
        {
            NeedsAdminToken = true,
        }, cancellationToken);
    }
}
