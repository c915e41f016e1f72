using System.CommandLine;

namespace Streaming.Replay.Cli;

/// <summary>The options every command shares (an instance per command, so each one's help is its own): what to select, how to run, where the pipeline is.</summary>
public sealed class CommonOptions
{
    public CommonOptions(Command command, string? defaultFrom, string? topicHelp, bool withResend)
    {
        DefaultFrom = defaultFrom;
        From.Description += defaultFrom is null ? " Required." : $" Default: {defaultFrom}.";
        command.Options.Add(Shop);
        command.Options.Add(From);
        command.Options.Add(To);
        if (topicHelp is not null)
        {
            Topic.Description = $"The topic(s) to read: {topicHelp}, by their configured names.";
            command.Options.Add(Topic);
        }

        command.Options.Add(DryRun);
        if (withResend)
        {
            command.Options.Add(Resend);
        }

        command.Options.Add(MaxRate);
        command.Options.Add(Config);
        command.Options.Add(BootstrapServers);
        command.Options.Add(SchemaRegistry);
        command.Options.Add(ProgressEvery);
    }

    public string? DefaultFrom { get; }

    public Option<string[]> Shop { get; } = new("--shop")
    {
        Description = "The shop(s) to replay, by myshopify.com domain (several: repeat the option or separate with spaces). Default: every configured shop.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> From { get; } = new("--from")
    {
        Description = "Start of the time range: an ISO-8601 date or time (2026-11-20, 2026-11-20T08:00:00Z) or a time before now (-2d, -36h, -90m).",
    };

    public Option<string> To { get; } = new("--to")
    {
        Description = "End of the time range, the same way. Default: now.",
        DefaultValueFactory = _ => "now",
    };

    public Option<string[]> Topic { get; } = new("--topic")
    {
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> DryRun { get; } = new("--dry-run")
    {
        Description = "Only count what would be sent, by shop and event name, and what would be skipped and why. Writes nothing.",
    };

    public Option<bool> Resend { get; } = new("--resend")
    {
        Description = "Send even events Pinterest already accepted (the dispatcher sends them again and says so). Not resumable: a second run sends them again too.",
    };

    public Option<double?> MaxRate { get; } = new("--max-rate")
    {
        Description = "Records written per second at most. Default: as fast as the cluster takes them (the dispatcher's rate limits apply either way).",
    };

    public Option<string[]> Config { get; } = new("--config")
    {
        Description = "The pipeline's configuration file(s) (appsettings JSON with Kafka, SchemaRegistry, Shops, Dispatcher, Enricher). appsettings.json in the working directory and environment variables (Kafka__BootstrapServers) are read too.",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<string> BootstrapServers { get; } = new("--bootstrap-servers")
    {
        Description = "The pipeline's Kafka cluster (overrides Kafka:BootstrapServers).",
    };

    public Option<string> SchemaRegistry { get; } = new("--schema-registry")
    {
        Description = "The pipeline's Schema Registry URL (overrides SchemaRegistry:Url). Without one, and with SchemaRegistry:UseInMemoryRegistry=true in the configuration, the built-in registry's fixed ids are used, as the pipeline does.",
    };

    public Option<double> ProgressEvery { get; } = new("--progress-every")
    {
        Description = "Seconds between progress reports.",
        DefaultValueFactory = _ => 5,
    };
}
