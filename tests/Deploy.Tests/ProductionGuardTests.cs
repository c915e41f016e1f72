using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Streaming.Ingest;

namespace Streaming.Deploy.Tests;

/// <summary>
/// An empty Kafka:BootstrapServers or SchemaRegistry:Url means an in-process stand-in. Production starts
/// one only when it is asked for by name; Development (the quick start) and the tests' Testing
/// environment keep starting with the settings empty.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class ProductionGuardTests(KafkaFixture kafka)
{
    [Fact]
    public async Task In_Production_an_empty_Kafka_BootstrapServers_refuses_to_start_and_says_which_setting_to_set()
    {
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Environments.Production, new()
        {
            ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        }));

        Assert.Contains("Kafka:BootstrapServers is empty", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka__BootstrapServers", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka:UseEmbeddedBroker=true", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_an_empty_SchemaRegistry_Url_refuses_to_start_and_says_which_setting_to_set()
    {
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Environments.Production, new()
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
        }));

        Assert.Contains("SchemaRegistry:Url is empty", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry__Url", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaRegistry:UseInMemoryRegistry=true", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_the_stand_ins_start_when_asked_for_by_name()
    {
        await using var app = await StartAsync(Environments.Production, new()
        {
            ["Kafka:UseEmbeddedBroker"] = "true",
            ["SchemaRegistry:UseInMemoryRegistry"] = "true",
        });

        Assert.True(app.Environment.IsProduction());
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Testing")]
    public async Task Outside_Production_empty_settings_still_start_the_stand_ins(string environment)
    {
        await using var app = await StartAsync(environment, []);

        Assert.Equal(environment, app.Environment.EnvironmentName);
    }

    [Fact]
    public async Task Asking_for_the_embedded_broker_and_naming_a_cluster_as_well_is_refused_in_any_environment()
    {
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(Environments.Development, new()
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka:UseEmbeddedBroker"] = "true",
        }));

        Assert.Contains("set only one of them", refusal.Message, StringComparison.Ordinal);
    }

    internal static async Task<WebApplication> StartAsync(string environment, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shops:0:Domain"] = TestSettings.Shop,
            ["Shops:0:WebhookSecrets:0"] = TestSettings.Secret,
            ["Shops:0:Pinterest:AdAccountId"] = TestSettings.AdAccountId,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddIngest();
        var app = builder.Build();
        app.MapIngest();
        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
