using System.Net;
using System.Net.Http.Headers;
using Streaming.ServiceDefaults;
using Xunit.Abstractions;

namespace Streaming.Operator.Tests.Rig;

/// <summary>
/// The test broker with every case's records on the topics the operator view reads, and an operator
/// host over them, caught up. Each case is a shop of its own, so the cases share one rebuild.
/// </summary>
public sealed class OperatorFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    public const string Token = "operator-test-token-1f0c9a7e";
    public const string UserName = "operator";
    public const string LiveShop = "live.myshopify.com";
    public const string StrangerShop = "stranger.myshopify.com";

    /// <summary>A shop only the metrics test's own instance has configured, so that only that instance counts it.</summary>
    public const string CountedShop = "counted.myshopify.com";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public KafkaFixture Kafka { get; } = new(diagnostics);

    public TestTopics Topics { get; private set; } = null!;

    /// <summary>The time the cases' records were made at; every case's times count back from it.</summary>
    public DateTimeOffset Now { get; private set; }

    public TestHost Host { get; private set; } = null!;

    public FeedWriter Writer { get; private set; } = null!;

    public static IReadOnlyList<string> Shops { get; } =
        [.. FigureCases.All.Select(c => c.Shop), Showcase.Shop, LiveShop];

    public async Task InitializeAsync()
    {
        await Kafka.InitializeAsync();
        // This assembly's own broker, unless KAFKA_BOOTSTRAP_SERVERS or Docker gave a shared one: there the
        // topics keep their default names, as the page (and the README's screenshot of it) names them.
        if (Kafka.Embedded is not null)
        {
            Topics = TestTopics.Defaults();
            await Kafka.CreateTopicsAsync([.. Topics.All]);
        }
        else
        {
            Topics = await Kafka.CreateTopicsAsync(partitions: 3);
        }

        // Whole seconds, as the shop's event times are: the delays the cases name are then exact.
        Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Writer = new FeedWriter(Kafka.BootstrapServers, Topics);
        var records = FigureCases.All.SelectMany(c => c.Records(Now)).ToList();
        // Records written before the 7 days go first: the start-offset search assumes timestamps grow with offsets.
        await Writer.WriteAsync(records.Where(r => r.WrittenAt is not null));
        await Writer.WriteAsync(records.Where(r => r.WrittenAt is null));
        await Writer.WriteAsync(Showcase.Records(Now));
        await Writer.WriteAsync([Fed.Delivery(StrangerShop, "checkout", "processed", Now.AddMinutes(-5))]);
        Host = await StartOperatorAsync();
        await WaitUntilReadyAsync(Host);
    }

    public Dictionary<string, string?> Settings(string? token = Token)
    {
        var settings = TestSettings.For(Kafka.BootstrapServers, Topics);
        for (var i = 0; i < Shops.Count; i++)
        {
            settings[$"Shops:{i + 1}:Domain"] = Shops[i];
            settings[$"Shops:{i + 1}:WebhookSecrets:0"] = "secret";
            settings[$"Shops:{i + 1}:Pinterest:AdAccountId"] = $"{100 + i}";
            settings[$"Shops:{i + 1}:Pinterest:ConversionToken"] = "token";
        }

        settings["Operator:Token"] = token;
        settings["Telemetry:PrometheusMetrics"] = "true";
        return settings;
    }

    public Task<TestHost> StartOperatorAsync(string? token = Token) =>
        TestHost.StartAsync(Settings(token), b => b.AddOperator(), app =>
        {
            app.MapOperator();
            app.MapHealthEndpoints();
        });

    public static async Task WaitUntilReadyAsync(TestHost host)
    {
        using var http = new HttpClient { BaseAddress = host.BaseUrl };
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            using var ready = await http.GetAsync("/readyz");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The operator view did not catch up within {Patience.TotalSeconds} s: {await ready.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A client of <paramref name="host"/> that signs in with the bearer token.</summary>
    public static HttpClient Client(TestHost host)
    {
        var http = new HttpClient { BaseAddress = host.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return http;
    }

    public static async Task<Dictionary<string, double?>> FiguresAsync(TestHost host, string shop, string window)
    {
        using var http = Client(host);
        using var page = await http.GetAsync($"/operator/shops/{shop}?window={window}");
        page.EnsureSuccessStatusCode();
        return PageFigures.Read(await page.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        Writer?.Dispose();
        await Kafka.DisposeAsync();
    }
}
