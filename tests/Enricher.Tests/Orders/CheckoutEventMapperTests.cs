using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Streaming.Enricher.Hashing;
using Streaming.Enricher.Orders;
using Streaming.Platform.Shops;
using Streaming.Records;
using Streaming.TestSupport;

namespace Streaming.Enricher.Tests.Orders;

public sealed class CheckoutEventMapperTests
{
    private static readonly ShopOptions LiveShop = new() { Domain = "s.myshopify.com", Pinterest = new() { AdAccountId = "1", TestMode = false } };
    private static readonly ShopOptions TestModeShop = new() { Domain = "s.myshopify.com", Pinterest = new() { AdAccountId = "1", TestMode = true } };

    [Fact]
    public void A_web_order_becomes_a_checkout_event_with_the_order_id_as_event_id()
    {
        var mapped = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), LiveShop).Event;

        Assert.NotNull(mapped);
        Assert.Equal("s.myshopify.com", mapped.ShopDomain);
        Assert.Equal("checkout", mapped.EventName);
        Assert.Equal("web", mapped.ActionSource);
        Assert.Equal(new DateTimeOffset(2026, 2, 11, 14, 26, 53, TimeSpan.Zero).ToUnixTimeSeconds(), mapped.EventTime);
        // 2^53 + 1: a double would make it ...992.
        Assert.Equal("9007199254740993", mapped.EventId);
        Assert.Equal([Sha256("zoe.angstrom@example.net")], mapped.UserData.Em);
        Assert.Equal("123.50", mapped.CustomData.Value);
        Assert.Equal("USD", mapped.CustomData.Currency);
        Assert.Equal("9007199254740993", mapped.CustomData.OrderId);
        Assert.Equal("delivery-1", mapped.SourceWebhookId);
    }

    [Fact]
    public void A_test_order_is_sent_only_for_a_shop_in_test_mode()
    {
        var body = ShopifySamples.DocsTestOrder();

        Assert.Equal("test_order", CheckoutEventMapper.Map(Webhook(body), LiveShop).SkipReason);
        var mapped = CheckoutEventMapper.Map(Webhook(body), TestModeShop).Event;
        Assert.NotNull(mapped);
        // The id passes 2^53: it must not go through a double.
        Assert.Equal("9007199254742209", mapped.EventId);
    }

    [Theory]
    [InlineData("pos")]
    [InlineData("shopify_draft_order")]
    [InlineData("subscription_contract")]
    [InlineData(null)]
    public void Orders_from_other_channels_are_skipped(string? sourceName)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["source_name"] = sourceName;

        Assert.Equal("not_web_order", CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).SkipReason);
    }

    [Fact]
    public void Other_topics_are_skipped()
    {
        Assert.Equal("topic_not_mapped", CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder(), "orders/updated"), LiveShop).SkipReason);
    }

    [Fact]
    public void Every_address_of_the_order_is_normalized_and_hashed_once()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["email"] = "  Bob.Norman@HostMail.com ";
        order["contact_email"] = "bob.norman@hostmail.com";
        order["customer"]!["email"] = "bob@work.example";

        var mapped = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!;

        Assert.Equal([Sha256("bob.norman@hostmail.com"), Sha256("bob@work.example")], mapped.UserData.Em);
    }

    [Theory]
    [InlineData("not json at all", "not JSON")]
    [InlineData("[1,2,3]", "not an order object")]
    [InlineData("""{"source_name":"web","created_at":"2026-01-01T00:00:00Z"}""", "no id")]
    [InlineData("""{"id":1,"source_name":"web"}""", "neither created_at nor processed_at")]
    [InlineData("""{"id":1,"source_name":"web","created_at":"yesterday"}""", "not a date")]
    [InlineData("""{"id":1,"source_name":"web","created_at":"2026-01-01T00:00:00Z","email":"a@b.c","subtotal_price":"lots"}""", "not an amount")]
    public void An_order_that_cannot_be_read_is_refused_with_the_reason(string body, string reason)
    {
        var refused = Assert.Throws<UnmappableWebhookException>(() => CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(body)), LiveShop));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_order_without_any_e_mail_is_skipped_because_Pinterest_could_not_match_it()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["email"] = null;
        order["customer"] = null;

        Assert.Equal("no_match_key", CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).SkipReason);
    }

    [Fact]
    public void A_time_without_an_offset_is_read_as_UTC_whatever_the_server_zone()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["created_at"] = "2026-01-01T00:00:00";

        var mapped = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!;

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), mapped.EventTime);
    }

    [Fact]
    public void Hashes_are_lowercase_hex_sha256_of_the_normalized_text()
    {
        // printf '%s' 'ada.lovelace@example.com' | sha256sum
        Assert.Equal(
            ["e814ff3dc480a94c7ce9334062ec4733c75a002f4bcec0197f62ffea64059e2f"],
            CustomerDataHasher.HashEmails(" Ada.Lovelace@Example.COM", null, ""));
    }

    private static ShopifyWebhook Webhook(byte[] body, string topic = "orders/create") => new()
    {
        WebhookId = "delivery-1",
        Topic = topic,
        ShopDomain = "s.myshopify.com",
        Body = body,
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
