namespace Streaming.Replay.Tests;

/// <summary>Bad command lines and configurations: exit code 2 and a message naming the problem, before anything is read or written.</summary>
public sealed class ArgumentTests : IDisposable
{
    // A cluster nobody listens on: every case must be refused before the tool connects anywhere.
    private readonly ReplayTool _tool = new(new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = "127.0.0.1:9",
        ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        ["Shops:0:Domain"] = TestSettings.Shop,
        ["Shops:0:WebhookSecrets:0"] = TestSettings.Secret,
        ["Shops:0:Pinterest:AdAccountId"] = TestSettings.AdAccountId,
    });

    public static TheoryData<string[], string> BadArguments => new()
    {
        { [], "Required command was not provided" },
        { ["rewind"], "rewind" },
        { ["resend"], "needs --from" },
        { ["resend", "--from", "yesterday"], "'yesterday' is not a time" },
        { ["resend", "--from", "2026-13-40"], "is not a time" },
        { ["resend", "--from", "-2d", "--to", "-3d"], "is after --to" },
        { ["resend", "--from", "2999-01-01"], "is in the future" },
        { ["resend", "--from", "-2d", "--shop", "other.myshopify.com"], "--shop other.myshopify.com: no such shop is configured" },
        { ["resend", "--from", "-2d", "--topic", "shopify.webhooks"], "--topic shopify.webhooks: resend reads" },
        { ["resend", "--from", "-2d", "--reason", "too_old"], "--reason selects dead letters" },
        { ["resend", "--from", "-2d", "--max-rate", "0"], "--max-rate must be above 0" },
        { ["resend", "--from", "-2d", "--wat"], "--wat" },
        { ["reenrich", "--from", "-2d", "--lookback", "soon"], "--lookback 'soon' is not a duration" },
        { ["reenrich", "--from", "-2d", "--topic", "pinterest.events"], "--topic pinterest.events: reenrich reads" },
        { ["backfill"], "backfill needs --shop" },
        { ["backfill", "--shop", TestSettings.Shop], "has no Admin API token" },
        { ["backfill", "--shop", TestSettings.Shop, "--page-size", "500"], "--page-size must be between 1 and 250" },
        { ["backfill", "--shop", TestSettings.Shop, "--resend"], "--resend" },
        { ["resend", "--from", "-2d", "--config", "/nonexistent/appsettings.json"], "--config /nonexistent/appsettings.json: no such file" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task A_bad_command_line_exits_2_with_a_message_naming_the_problem(string[] args, string message)
    {
        var result = await _tool.RunAsync(args);

        Assert.True(result.ExitCode == ReplayCli.BadArguments, result.ToString());
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task Without_a_cluster_in_the_configuration_the_tool_says_where_to_give_one()
    {
        _tool.Settings.Remove("Kafka:BootstrapServers");
        var saved = Environment.GetEnvironmentVariable("Kafka__BootstrapServers");

        var result = await _tool.RunAsync("resend", "--from", "-2d");

        Assert.Null(saved);
        Assert.Equal(ReplayCli.BadArguments, result.ExitCode);
        Assert.Contains("--bootstrap-servers", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_registry_in_the_configuration_the_tool_says_how_to_ask_for_the_in_memory_one()
    {
        _tool.Settings.Remove("SchemaRegistry:UseInMemoryRegistry");

        var result = await _tool.RunAsync("resend", "--from", "-2d");

        Assert.Equal(ReplayCli.BadArguments, result.ExitCode);
        Assert.Contains("SchemaRegistry:UseInMemoryRegistry=true", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_command_has_help()
    {
        foreach (var command in new[] { "resend", "reenrich", "backfill" })
        {
            var result = await _tool.RunAsync(command, "--help");

            Assert.Equal(ReplayCli.Done, result.ExitCode);
            Assert.Contains("--dry-run", result.Output, StringComparison.Ordinal);
            Assert.Contains("--from", result.Output, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _tool.Dispose();
}
