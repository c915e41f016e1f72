using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Streaming.Kafka.Avro;
using Streaming.Operator;
using Streaming.ServiceDefaults;

namespace Streaming.EndToEnd.Tests.Privacy;

/// <summary>
/// The whole pipeline with two shops and the suite's personal test data, and everything it lets out
/// beside its stores: the log lines of every host and the tags of every metric it records.
/// </summary>
internal sealed class PrivacyRig : IAsyncDisposable
{
    public const string OtherShop = "second-shop.myshopify.com";
    public const string OtherSecret = "second-shop-webhook-secret";
    public const string OperatorToken = "privacy-operator-token-0123456789";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly List<TestHost> _hosts = [];
    private readonly MeterListener _meters = new();
    private readonly ConcurrentBag<(string Instrument, string Tag, string Value)> _tags = [];

    private PrivacyRig(KafkaFixture kafka, TestTopics topics, FakePinterest pinterest)
    {
        Kafka = kafka;
        Topics = topics;
        Pinterest = pinterest;
        Settings = TestSettings.For(kafka.BootstrapServers, topics, pinterest.BaseUrl);
        Settings["Shops:1:Domain"] = OtherShop;
        Settings["Shops:1:WebhookSecrets:0"] = OtherSecret;
        Settings["Shops:1:Pinterest:AdAccountId"] = "549755813889";
        Settings["Shops:1:Pinterest:ConversionToken"] = "second-conversion-token";
        Settings["Storefront:TrustedProxies:0"] = "127.0.0.1/32";
        Settings["Operator:Token"] = OperatorToken;
        _meters.InstrumentPublished = (instrument, listener) => listener.EnableMeasurementEvents(instrument);
        _meters.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        _meters.Start();
    }

    public KafkaFixture Kafka { get; }

    public TestTopics Topics { get; }

    public FakePinterest Pinterest { get; }

    public Dictionary<string, string?> Settings { get; }

    public Uri Ingest => _hosts[0].BaseUrl;

    public TestHost? Operator { get; private set; }

    public HttpClient Http { get; } = new();

    public Shopper Alice => Shopper.Numbered(1, TestSettings.Shop, TestSettings.Secret) with { Cart = _carts[0], Checkout = _checkouts[0] };

    public Shopper Bob => Shopper.Numbered(2, TestSettings.Shop, TestSettings.Secret) with { Cart = _carts[1], Checkout = _checkouts[1] };

    public Shopper Carol => Shopper.Numbered(3, OtherShop, OtherSecret) with { Cart = _carts[2], Checkout = _checkouts[2] };

    public IReadOnlyList<Shopper> Shoppers => [Alice, Bob, Carol];

    public IReadOnlyList<LogLine> LogLines => [.. _hosts.SelectMany(h => h.Logs.Lines)];

    public IReadOnlyCollection<(string Instrument, string Tag, string Value)> MetricTags
    {
        get
        {
            _meters.RecordObservableInstruments();
            return [.. _tags];
        }
    }

    private readonly string[] _carts = [.. Enumerable.Range(1, 3).Select(n => $"cart-shopper-{n}-{Guid.NewGuid():N}")];
    private readonly string[] _checkouts = [.. Enumerable.Range(1, 3).Select(_ => Guid.NewGuid().ToString("N"))];

    public static async Task<PrivacyRig> StartAsync(KafkaFixture kafka, bool withOperator = false, bool ingestOnly = false)
    {
        var pinterest = await FakePinterest.StartAsync();
        var rig = new PrivacyRig(kafka, await kafka.CreateTopicsAsync(), pinterest);
        rig._hosts.Add(await TestHost.StartAsync(rig.Settings, b => b.AddIngest(), app => app.MapIngest()));
        if (!ingestOnly)
        {
            rig._hosts.Add(await TestHost.StartAsync(rig.Settings, b => b.AddEnricher()));
            rig._hosts.Add(await TestHost.StartAsync(rig.Settings, b => b.AddDispatcher()));
        }

        if (withOperator)
        {
            rig.Operator = await TestHost.StartAsync(rig.Settings, b => b.AddOperator(), app =>
            {
                app.MapOperator();
                app.MapHealthEndpoints();
            });
            rig._hosts.Add(rig.Operator);
        }

        return rig;
    }

    /// <summary>Sends every shopper's visit, cart, checkout, order and unmappable order, and waits until the enricher holds them.</summary>
    public async Task SeedAsync()
    {
        foreach (var shopper in Shoppers)
        {
            foreach (var request in shopper.Requests(Ingest))
            {
                using (request)
                {
                    using var response = await Http.SendAsync(request);
                    Assert.True(response.IsSuccessStatusCode, $"{request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }

        await WaitForAsync("every shopper's session and sent order in the enricher's changelog, and every dead letter", async () =>
        {
            var state = Changelog().Latest;
            var held = 0;
            foreach (var shopper in Shoppers)
            {
                if (state.TryGetValue($"{shopper.Shop}/{shopper.Cart}", out var bytes)
                    && await DecodeAsync<EnricherState>(bytes, Topics.EnricherState.Name) is { } entry
                    && entry.Session?.ClientIp == shopper.Ip && entry.SentOrders.Contains(shopper.OrderId))
                {
                    held++;
                }
            }

            return held == Shoppers.Count && DeadLetters().Latest.Count >= Shoppers.Count;
        });
    }

    /// <summary>Sends a compliance request and waits for every part of its answer on pipeline.privacy.</summary>
    public async Task<List<PrivacyReport>> RequestAsync(Shopper signer, string topic, string body)
    {
        using var request = signer.Webhook(Ingest, topic, body);
        var id = request.Headers.GetValues("X-Shopify-Webhook-Id").Single();
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        List<PrivacyReport> parts = [];
        await WaitForAsync($"the {Topics.ShopifyWebhooks.Partitions} parts of the answer to {topic}", async () =>
        {
            parts = [];
            foreach (var record in TopicSnapshot.Read(Kafka.BootstrapServers, Topics.PrivacyReports.Name).Records)
            {
                var report = (await DecodeAsync<PrivacyReport>(record.Message.Value!, Topics.PrivacyReports.Name))!;
                if (report.RequestId == id)
                {
                    parts.Add(report);
                }
            }

            return parts.Count == Topics.ShopifyWebhooks.Partitions;
        });
        return parts;
    }

    public TopicSnapshot Changelog() => TopicSnapshot.Read(Kafka.BootstrapServers, Topics.EnricherState.Name);

    public TopicSnapshot DeadLetters() => TopicSnapshot.Read(Kafka.BootstrapServers, Topics.DeadLetters.Name);

    public static async Task<T?> DecodeAsync<T>(byte[] bytes, string topic)
        where T : class, Avro.Specific.ISpecificRecord, new() =>
        await TestRecords.Serdes().DeserializeAsync<T>(bytes, topic);

    public async ValueTask DisposeAsync()
    {
        _meters.Dispose();
        Http.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            await host.DisposeAsync();
        }

        await Pinterest.DisposeAsync();
    }

    public static async Task WaitForAsync(string what, Func<Task<bool>> done)
    {
        var until = DateTime.UtcNow + Patience;
        while (!await done())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"Not seen within {Patience.TotalSeconds} s: {what}.");
            }

            await Task.Delay(250);
        }
    }

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var (key, value) in tags)
        {
            _tags.Add((instrument.Name, key, value?.ToString() ?? ""));
        }
    }
}
