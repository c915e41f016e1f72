using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Streaming.Contracts;
using Streaming.Kafka.Topics;
using Streaming.Records;
using Streaming.Replay.Backfill;
using Streaming.Replay.Cli;
using Streaming.Replay.Operations;
using Streaming.ServiceDefaults;

namespace Streaming.Replay.Doctor;

/// <summary>The <c>doctor</c> command's options; exit code 0 only when every check passed.</summary>
public sealed class DoctorCli
{
    public DoctorCli()
    {
        foreach (var option in new Option[] { Shop, Json, IngestUrl, MaxLag, Timeout, AdminUrl, Config, BootstrapServers, SchemaRegistry })
        {
            Command.Options.Add(option);
        }
    }

    public Command Command { get; } = new(
        "doctor",
        "Check everything a shop's events pass through, one line per check with how to fix what fails: Kafka and its topics, the schema registry, " +
        "Ingest's address, the consumer groups' lag, and per shop the Pinterest token, the webhooks and /pixel.js. Exit code 0 only when all pass.");

    public Option<string[]> Shop { get; } = new("--shop")
    {
        Description = "The shop(s) to check, by myshopify.com domain. Default: every configured shop.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the checks as JSON (passed, and each check's scope, name, status, detail and fix)." };

    public Option<string> IngestUrl { get; } = new("--ingest-url")
    {
        Description = "Where Ingest answers this machine, when not at its public address (Storefront:PublicUrl), for example http://localhost:8080.",
    };

    public Option<long> MaxLag { get; } = new("--max-lag")
    {
        Description = "Records a consumer group may be behind and still pass.",
        DefaultValueFactory = _ => 10_000,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds each check may wait for an answer.",
        DefaultValueFactory = _ => 10,
    };

    public Option<string> AdminUrl { get; } = new("--admin-url")
    {
        Description = "The Admin GraphQL endpoint; {shop} and {version} are filled in. Default: https://{shop}/admin/api/{version}/graphql.json.",
    };

    public Option<string[]> Config { get; } = new("--config")
    {
        Description = "The pipeline's configuration file(s). appsettings.json in the working directory and environment variables are read too.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> BootstrapServers { get; } = new("--bootstrap-servers") { Description = "The pipeline's Kafka cluster (overrides Kafka:BootstrapServers)." };

    public Option<string> SchemaRegistry { get; } = new("--schema-registry") { Description = "The pipeline's Schema Registry URL (overrides SchemaRegistry:Url)." };

    public async Task<int> RunAsync(ParseResult parsed, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var configFiles = parsed.GetValue(Config) ?? [];
        if (configFiles.FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            return await BadAsync(error, $"--config {missing}: no such file.");
        }

        var overrides = new Dictionary<string, string?>();
        if (parsed.GetValue(BootstrapServers) is { } bootstrap)
        {
            overrides["Kafka:BootstrapServers"] = bootstrap;
        }

        if (parsed.GetValue(SchemaRegistry) is { } registry)
        {
            overrides["SchemaRegistry:Url"] = registry;
        }

        var builder = ReplayHost.CreateBuilder(configFiles, overrides);
        builder.AddTopic(DeadLetter.KafkaTopic);
        builder.AddTopic(EnrichmentOutcome.KafkaTopic);
        builder.AddTopic(PinterestDelivery.KafkaTopic);
        var configuration = builder.Configuration;
        var (shops, problem) = ShopSelection.Select(ConnectedShop.From(configuration), parsed.GetValue(Shop) ?? []);
        if (problem is not null)
        {
            return await BadAsync(error, problem);
        }

        var publicProblem = Address(configuration["Storefront:PublicUrl"], "Storefront:PublicUrl", out var publicUrl);
        var ingestProblem = Address(parsed.GetValue(IngestUrl), "--ingest-url", out var ingestUrl);
        var pinterestProblem = Address(configuration["Pinterest:BaseUrl"] ?? "https://api.pinterest.com", "Pinterest:BaseUrl", out var pinterestUrl);
        if ((publicProblem ?? ingestProblem ?? pinterestProblem) is { } badAddress)
        {
            return await BadAsync(error, badAddress);
        }

        var timeout = parsed.GetValue(Timeout);
        if (timeout is <= 0 or > 600)
        {
            return await BadAsync(error, $"--timeout must be between 0 and 600 seconds, not {timeout}.");
        }

        using var host = builder.Build();
        try
        {
            _ = host.Services.GetRequiredService<IOptions<TopicsOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            return await BadAsync(error, $"The configuration is not valid: {string.Join(" ", e.Failures)}");
        }

        var request = new DoctorRequest(
            shops,
            configuration.GetSection("Ingest:WrittenTopics").Get<List<string>>() is { Count: > 0 } written ? written : [.. ShopifyTopics.Written],
            publicUrl,
            ingestUrl,
            parsed.GetValue(AdminUrl),
            pinterestUrl!,
            parsed.GetValue(MaxLag),
            TimeSpan.FromSeconds(timeout),
            !string.IsNullOrWhiteSpace(configuration["Kafka:BootstrapServers"]));
        using var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ShopifyAdminClient.HttpClientName);
        http.Timeout = request.Timeout;
        var report = new DoctorReport(await new DoctorCommand(request, host.Services, http).RunAsync(cancellationToken));
        if (parsed.GetValue(Json))
        {
            await report.WriteJsonAsync(output);
        }
        else
        {
            await report.WriteTableAsync(output);
        }

        return report.Passed ? ReplayCli.Done : ReplayCli.Failed;
    }

    /// <summary>A problem with an address setting, or null (an empty one is null too).</summary>
    private static string? Address(string? text, string setting, out Uri? address)
    {
        address = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out address) || address.Scheme is not ("http" or "https"))
        {
            return $"{setting} '{text}' is not an http(s) address.";
        }

        return null;
    }

    private static async Task<int> BadAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"error: {message}");
        return ReplayCli.BadArguments;
    }
}
