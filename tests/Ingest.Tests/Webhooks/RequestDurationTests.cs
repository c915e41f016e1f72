using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Streaming.Ingest.Tests.Webhooks;

/// <summary>
/// Ingest's request durations are ASP.NET Core's own histogram, <c>http.server.request.duration</c>, by
/// route and status: what the README documents in place of a histogram of Ingest's own.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class RequestDurationTests(KafkaFixture kafka) : IAsyncLifetime
{
    private const string Instrument = "http.server.request.duration";

    private readonly HttpClient _http = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Unit, double Seconds, Dictionary<string, object?> Tags)> _measured = [];
    private TestHost _host = null!;

    public async Task InitializeAsync()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        _host = await TestHost.StartAsync(TestSettings.For(kafka.BootstrapServers, topics), b => b.AddIngest(), app => app.MapIngest());
        var meters = _host.App.Services.GetRequiredService<IMeterFactory>();
        // This host's meter only: other tests' hosts in this process have their own.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == Instrument && instrument.Meter.Scope == meters)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var byKey = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                byKey[tag.Key] = tag.Value;
            }

            lock (_measured)
            {
                _measured.Add((instrument.Unit ?? "", value, byKey));
            }
        });
        _listener.Start();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        _http.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Each_webhook_request_is_measured_in_seconds_by_route_and_status()
    {
        using var accepted = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Requests.Order("450789470", cartToken: null)));
        using var refused = await _http.SendAsync(Requests.Webhook(_host.BaseUrl, Requests.Order("450789471", cartToken: null), secret: "wrong"));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        // The measurement is recorded as the request ends, after the answer may have reached the client.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<(string Unit, double Seconds, Dictionary<string, object?> Tags)> webhooks;
        do
        {
            await Task.Delay(50);
            lock (_measured)
            {
                webhooks = [.. _measured.Where(m => Equals(m.Tags.GetValueOrDefault("http.route"), "/webhooks/shopify"))];
            }
        }
        while (webhooks.Count < 2 && DateTime.UtcNow < until);

        Assert.Equal([200, 401], webhooks.Select(m => Convert.ToInt32(m.Tags["http.response.status_code"], System.Globalization.CultureInfo.InvariantCulture)).Order());
        Assert.All(webhooks, m => Assert.Equal("s", m.Unit));
        Assert.All(webhooks, m => Assert.Equal("POST", m.Tags["http.request.method"]));
    }
}
