using System.CommandLine;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Streaming.Kafka;
using Streaming.Kafka.Avro;
using Streaming.Kafka.Topics;
using Streaming.Replay.Backfill;
using Streaming.Replay.Shopify;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Replay.Cli;

/// <summary>
/// One run of a command: checks everything that can be checked before a record is read (arguments, the
/// configuration, the shops and topics named), then runs it and prints the summary. A problem found
/// before the run is exit code 2 with a message naming it; a failure during the run is exit code 1.
/// </summary>
public sealed class Invocation(ParseResult parsed, CommonOptions options, TextWriter output, TextWriter error, bool terminal)
{
    public async Task<int> RunAsync(CommandSpec spec, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var fromText = parsed.GetValue(options.From) ?? options.DefaultFrom;
        if (fromText is null)
        {
            return await BadAsync($"{spec.Name} needs --from: the start of the time range (for example -2d or 2026-11-20T00:00:00Z).");
        }

        if (!TimeBound.TryParse(fromText, now, out var from, out var problem) || !TimeBound.TryParse(parsed.GetValue(options.To)!, now, out var to, out problem))
        {
            return await BadAsync(problem!);
        }

        if (from > now)
        {
            return await BadAsync($"--from ({from:u}) is in the future.");
        }

        if (from > to)
        {
            return await BadAsync($"--from ({from:u}) is after --to ({to:u}).");
        }

        var lookback = TimeSpan.Zero;
        if (spec.Lookback is { } lookbackText)
        {
            if (!TimeBound.TryParse(lookbackText.StartsWith('-') ? lookbackText : "-" + lookbackText, now, out var back, out _) || back > now)
            {
                return await BadAsync($"--lookback '{lookbackText}' is not a duration such as 1d, 12h or 30m.");
            }

            lookback = now - back;
        }

        var maxRate = parsed.GetValue(options.MaxRate);
        if (maxRate is <= 0)
        {
            return await BadAsync($"--max-rate must be above 0, not {maxRate}.");
        }

        var progressEvery = parsed.GetValue(options.ProgressEvery);
        if (progressEvery is <= 0 or > 3600)
        {
            return await BadAsync($"--progress-every must be between 0 and 3600 seconds, not {progressEvery}.");
        }

        var configFiles = parsed.GetValue(options.Config) ?? [];
        if (configFiles.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            return await BadAsync($"--config {missing}: no such file.");
        }

        var overrides = new Dictionary<string, string?>();
        if (parsed.GetValue(options.BootstrapServers) is { } bootstrap)
        {
            overrides["Kafka:BootstrapServers"] = bootstrap;
        }

        if (parsed.GetValue(options.SchemaRegistry) is { } registry)
        {
            overrides["SchemaRegistry:Url"] = registry;
        }

        var builder = ReplayHost.CreateBuilder(configFiles, overrides);
        if (string.IsNullOrWhiteSpace(builder.Configuration["Kafka:BootstrapServers"]))
        {
            return await BadAsync(
                "Kafka:BootstrapServers is empty: the tool works on the pipeline's own cluster. Give --bootstrap-servers, " +
                "Kafka__BootstrapServers or a --config file that names it (the embedded broker of a running pipeline logs its address at start).");
        }

        using var host = builder.Build();
        TopicsOptions topics;
        ShopList<ReplayShop> shops;
        try
        {
            topics = host.Services.GetRequiredService<IOptions<TopicsOptions>>().Value;
            shops = host.Services.GetRequiredService<IOptions<ShopList<ReplayShop>>>().Value;
            _ = host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
            _ = host.Services.GetRequiredService<IOptions<Streaming.Kafka.Avro.SchemaRegistryOptions>>().Value;
            _ = host.Services.GetRequiredService<IOptions<Dispatcher.DispatcherOptions>>().Value;
            _ = host.Services.GetRequiredService<IOptions<Enricher.EnricherOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            return await BadAsync($"The configuration is not valid: {string.Join(" ", e.Failures)}");
        }

        var configured = shops.Items.ToDictionary(s => Shop.Normalize(s.Domain), StringComparer.Ordinal);
        var selected = (parsed.GetValue(options.Shop) ?? []).Select(Shop.Normalize).ToHashSet(StringComparer.Ordinal);
        if (selected.FirstOrDefault(s => !configured.ContainsKey(s)) is { } unknown)
        {
            return await BadAsync($"--shop {unknown}: no such shop is configured (Shops). Configured: {(configured.Count == 0 ? "none" : string.Join(", ", configured.Keys))}.");
        }

        var allowed = spec.AllowedTopics(topics);
        var named = parsed.GetValue(options.Topic) ?? [];
        if (named.FirstOrDefault(t => !allowed.Contains(t)) is { } wrongTopic)
        {
            return await BadAsync($"--topic {wrongTopic}: {spec.Name} reads {string.Join(" or ", allowed)}.");
        }

        var request = new ReplayRequest(
            spec.Name,
            selected,
            from,
            to,
            named.Length > 0 ? named.Distinct(StringComparer.Ordinal).ToList() : spec.DefaultTopics(topics),
            spec.Reasons.ToHashSet(StringComparer.Ordinal),
            parsed.GetValue(options.DryRun),
            parsed.GetValue(options.Resend),
            lookback,
            maxRate,
            TimeSpan.FromSeconds(progressEvery));
        if (spec.Check(request, topics) is { } specific)
        {
            return await BadAsync(specific);
        }

        if (spec.NeedsAdminToken && selected.FirstOrDefault(s => string.IsNullOrWhiteSpace(configured[s].AdminApiToken)) is { } tokenless)
        {
            return await BadAsync($"--shop {tokenless}: the shop has no Admin API token (Shops:N:AdminApiToken, scope read_orders); backfill reads its orders with it.");
        }

        return await RunAsync(spec, request, host, cancellationToken);
    }

    private async Task<int> RunAsync(CommandSpec spec, ReplayRequest request, IHost host, CancellationToken cancellationToken)
    {
        var context = new ReplayContext(request, host.Services, error, terminal);
        try
        {
            await host.StartAsync(cancellationToken);
            ReplayLog.Started(
                context.Logger,
                spec.Name,
                request.RunId,
                request.Shops.Count == 0 ? "every shop" : string.Join(", ", request.Shops),
                request.From,
                request.To,
                request.DryRun ? ", dry run" : "",
                request.Resend ? ", --resend: events Pinterest already accepted are sent again" : "");
            await spec.Run(context);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("Interrupted. What was written is in Kafka; run the same command again to send the rest (nothing is sent twice).");
            await output.WriteLineAsync(context.Tally.Summary(request.DryRun));
            return ReplayCli.Failed;
        }
        catch (Exception e) when (e is KafkaException or ShopifyAdminException or HttpRequestException or InvalidOperationException or TimeoutException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            await output.WriteLineAsync(context.Tally.Summary(request.DryRun));
            return ReplayCli.Failed;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        if (request.Resend && context.Tally.Sent > 0)
        {
            await error.WriteLineAsync($"--resend: events were written with resend=true; the dispatcher sends them even where Pinterest already accepted their event id.");
        }

        await output.WriteLineAsync($"{spec.Name} run {request.RunId} (replay mark {request.Mark})");
        await output.WriteLineAsync(context.Tally.Summary(request.DryRun));
        return ReplayCli.Done;
    }

    private async Task<int> BadAsync(string message)
    {
        await error.WriteLineAsync($"error: {message}");
        return ReplayCli.BadArguments;
    }
}
