using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// A pipeline for an end-to-end test: fresh topics on the fixture's broker, a Pinterest stand-in on
/// loopback, the settings every service host of the test starts with, and an HTTP client. The hosts it
/// started are stopped in reverse order, then the stand-in.
/// </summary>
public sealed class PipelineRig(KafkaFixture kafka) : IAsyncLifetime
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _running = [];

    public HttpClient Http { get; } = new();

    public FakePinterest Pinterest { get; private set; } = null!;

    /// <summary>What the next host starts with; a test may change it before.</summary>
    public Dictionary<string, string?> Settings { get; private set; } = null!;

    public string WebhookTopic { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Pinterest = await FakePinterest.StartAsync();
        _running.Add(Pinterest);
        var topics = await kafka.CreateTopicsAsync();
        WebhookTopic = topics.ShopifyWebhooks.Name;
        Settings = TestSettings.For(kafka.BootstrapServers, topics, Pinterest.BaseUrl);
    }

    /// <summary>A service host with <see cref="Settings"/>, stopped when the rig is disposed.</summary>
    public async Task<TestHost> StartAsync(Action<IHostApplicationBuilder> register, Action<WebApplication>? map = null)
    {
        var host = await TestHost.StartAsync(Settings, register, map);
        _running.Add(host);
        return host;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        foreach (var running in Enumerable.Reverse(_running))
        {
            await running.DisposeAsync();
        }
    }
}
