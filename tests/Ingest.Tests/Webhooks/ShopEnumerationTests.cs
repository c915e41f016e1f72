namespace Streaming.Ingest.Tests.Webhooks;

/// <summary>
/// Whether a shop is served here must not show in the answer to an unverified request: an unknown shop
/// and a configured shop with a wrong signature meet the same body limits and get the same answer.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class ShopEnumerationTests(KafkaFixture kafka)
{
    private const string Unknown = "not-served-here.myshopify.com";

    [Fact]
    public async Task An_unknown_shop_and_a_wrong_signature_get_the_same_answer_however_the_body_arrives()
    {
        var topics = await kafka.CreateTopicsAsync(partitions: 1);
        var settings = TestSettings.For(kafka.BootstrapServers, topics);
        settings["Ingest:BodyTimeout"] = "00:00:01";
        await using var host = await TestHost.StartAsync(settings, b => b.AddIngest(), app => app.MapIngest());
        using var outcomes = new OutcomeCounter("pipeline.ingest.webhooks");
        var bodies = new (string Case, int Announced, int Sent, string Status)[]
        {
            ("declared over Ingest:MaxBodyBytes", 1_000_000, 0, "HTTP/1.1 413"),
            ("stalled mid-body", 100, 10, "HTTP/1.1 408"),
            ("sent whole", 20, 20, "HTTP/1.1 401"),
        };

        foreach (var (name, announced, sent, status) in bodies)
        {
            var configured = await AnswerAsync(host.BaseUrl, announced, sent, TestSettings.Shop);
            var unknown = await AnswerAsync(host.BaseUrl, announced, sent, Unknown);

            Assert.True(configured.StartsWith(status, StringComparison.Ordinal), $"{name}, configured shop: {configured}");
            Assert.True(configured == unknown, $"{name}: the configured shop got '{configured}', the unknown one '{unknown}'");
        }

        // Operators still tell them apart.
        Assert.Equal(["bad_signature", "body_timeout", "body_timeout", "body_too_large", "body_too_large", "unknown_shop"], outcomes.Reasons("rejected").Order());
    }

    private static async Task<string> AnswerAsync(Uri ingest, int announced, int sent, string shop)
    {
        using var sender = await StallingSender.StartAsync(ingest, announced, sent, shop);
        return await sender.ReadAnswerAsync(TimeSpan.FromSeconds(10));
    }
}
