namespace Streaming.Ingest.Tests.Resilience;

/// <summary>
/// The topology suite saw Ingest answer kafka_unavailable while only the schema registry was down: the
/// registry's client throws HttpRequestException when it cannot connect, and that was read as Kafka's.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class RegistryOutageTests(KafkaFixture kafka)
{
    [Fact]
    public async Task A_webhook_that_cannot_be_serialized_for_want_of_the_registry_is_a_503_naming_the_registry_not_Kafka()
    {
        await using var registry = await SchemaRegistryStandIn.StartAsync();
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings.Remove("SchemaRegistry:UseInMemoryRegistry");
        settings["SchemaRegistry:Url"] = registry.BaseUrl.ToString();
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        registry.Reachable = false;
        using var http = new HttpClient();

        using var refused = await http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Order("1001", cartToken: "cart-1")));
        var (title, detail) = await Requests.ProblemAsync(refused);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("registry", $"{title} {detail}", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Kafka", detail, StringComparison.Ordinal);

        registry.Reachable = true;
        using var stored = await http.SendAsync(Requests.Webhook(host.BaseUrl, Requests.Order("1002", cartToken: "cart-2")));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
    }
}
