using System.Security.Cryptography;
using Streaming.Enricher.Orders;

namespace Streaming.Enricher.Tests.Orders;

public sealed class CheckoutEventMapperTests
{
    private static readonly EnricherShop LiveShop = new() { Domain = "s.myshopify.com", Pinterest = new() { TestMode = false } };
    private static readonly EnricherShop TestModeShop = new() { Domain = "s.myshopify.com", Pinterest = new() { TestMode = true } };

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
        // What the shopper paid, in what they paid in: the presentment money, not the shop's 123.50 USD.
        Assert.Equal("113.62", mapped.CustomData.Value);
        Assert.Equal("EUR", mapped.CustomData.Currency);
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
    [InlineData("orders-create-pos.json", "pos")]
    [InlineData("orders-create-draft.json", "shopify_draft_order")]
    [InlineData("orders-create-subscription.json", "subscription_contract")]
    [InlineData("orders-create-test.json", "test_order")]
    public void Every_order_that_is_no_ad_conversion_is_skipped_with_its_own_reason(string fixture, string reason)
    {
        Assert.Equal(reason, CheckoutEventMapper.Map(Webhook(ShopifySamples.Fixture(fixture)), LiveShop).SkipReason);
    }

    [Theory]
    [InlineData("1234567")]
    [InlineData(null)]
    public void Orders_of_other_channels_and_without_a_channel_are_skipped(string? sourceName)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["source_name"] = sourceName;

        Assert.Equal("other_channel", CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).SkipReason);
    }

    [Fact]
    public void A_shop_can_choose_to_send_subscription_renewals_and_test_orders()
    {
        var shop = new EnricherShop { Domain = "s.myshopify.com", Events = new() { SendSubscriptionRenewals = true, SendTestOrders = true } };
        var renewal = JsonNode.Parse(ShopifySamples.Fixture("orders-create-subscription.json"))!;
        renewal["test"] = false;

        Assert.NotNull(CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(renewal.ToJsonString())), shop).Event);
        Assert.NotNull(CheckoutEventMapper.Map(Webhook(ShopifySamples.Fixture("orders-create-test.json")), shop).Event);
    }

    [Fact]
    public void The_value_is_the_subtotal_unless_the_shop_says_total_both_in_the_currency_the_shopper_paid_in()
    {
        var total = new EnricherShop { Domain = "s.myshopify.com", Events = new() { CheckoutValue = CheckoutValue.Total } };
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;

        var subtotal = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), LiveShop).Event!.CustomData;
        var paid = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), total).Event!.CustomData;

        Assert.Equal(order["subtotal_price_set"]!["presentment_money"]!["amount"]!.GetValue<string>(), subtotal.Value);
        Assert.Equal(order["total_price_set"]!["presentment_money"]!["amount"]!.GetValue<string>(), paid.Value);
        Assert.NotEqual(subtotal.Value, paid.Value);
        Assert.Equal("EUR", paid.Currency);
    }

    [Fact]
    public void Contents_carry_each_line_with_its_presentment_unit_price_quantity_name_and_brand()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        var first = order["line_items"]![0]!;

        var contents = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), LiveShop).Event!.CustomData.Contents;

        // A custom item (no product, no variant) has no id Pinterest could match on a catalog.
        Assert.Equal(order["line_items"]!.AsArray().Count(i => i!["variant_id"] is not null || i!["product_id"] is not null), contents.Count);
        Assert.Equal(first["variant_id"]!.ToJsonString(), contents[0].Id);
        Assert.Equal(first["price_set"]!["presentment_money"]!["amount"]!.GetValue<string>(), contents[0].ItemPrice);
        Assert.Equal(first["quantity"]!.GetValue<long>(), contents[0].Quantity);
        Assert.Equal(first["title"]!.GetValue<string>(), contents[0].ItemName);
        Assert.Equal(first["vendor"]!.GetValue<string>(), contents[0].ItemBrand);
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
    [InlineData("[1,2,3]", "not an object")]
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
    public void An_order_without_e_mail_and_without_ip_and_user_agent_is_skipped_because_Pinterest_could_not_match_it()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!;
        order["email"] = null;
        order["customer"] = null;
        order["client_details"]!["user_agent"] = null;

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
            [Streaming.Enricher.Hashing.MatchKeys.Sha256Hex(Streaming.Enricher.Hashing.MatchKeys.Email(" Ada.Lovelace@Example.COM")!)]);
    }

    [Fact]
    public void Every_match_key_of_the_order_is_normalized_and_hashed_and_ip_user_agent_click_id_stay_plain()
    {
        var user = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), LiveShop).Event!.UserData;

        // The billing address (Hamburg) wins over the shipping address (Berlin, another name).
        Assert.Equal([Sha256("15035550147")], user.Ph);
        Assert.Equal([Sha256("zoë")], user.Fn);
        Assert.Equal([Sha256("ångström")], user.Ln);
        Assert.Equal([Sha256("hamburg")], user.Ct);
        Assert.Equal([Sha256("hh")], user.St);
        Assert.Equal([Sha256("20357")], user.Zp);
        Assert.Equal([Sha256("de")], user.Country);
        Assert.Equal([Sha256("9007199254748811")], user.ExternalId);
        Assert.Equal("198.51.100.23", user.ClientIpAddress);
        Assert.StartsWith("Mozilla/5.0 (Windows NT 10.0", user.ClientUserAgent, StringComparison.Ordinal);
        Assert.Equal("dj0yJnU9S0tmaXh0dXJlJm49WmVvJm09Mg", user.ClickId);
    }

    [Fact]
    public void Content_ids_are_the_variants_and_num_items_adds_up_the_quantities()
    {
        var custom = CheckoutEventMapper.Map(Webhook(ShopifySamples.WebOrder()), LiveShop).Event!.CustomData;

        // The custom item has neither variant nor product id: counted, not listed.
        Assert.Equal(["9007199254741207", "9007199254741429"], custom.ContentIds);
        Assert.Equal(4, custom.NumItems);
    }

    [Fact]
    public void Without_presentment_money_the_shop_currency_goes_with_the_shop_amount()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order.Remove("subtotal_price_set");

        var custom = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!.CustomData;

        Assert.Equal(("USD", "123.50"), (custom.Currency, custom.Value));
    }

    [Fact]
    public void The_address_falls_back_from_billing_to_shipping_to_the_customers_default()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order.Remove("billing_address");
        var shipping = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!.UserData;
        order.Remove("shipping_address");
        order["customer"]!["default_address"] = JsonNode.Parse("""{"city":"São Paulo","country_code":"BR","zip":"01310-100","province_code":"SP"}""");
        var fallback = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!.UserData;

        Assert.Equal([Sha256("berlin")], shipping.Ct);
        Assert.Equal([Sha256("美咲")], shipping.Fn);
        Assert.Equal([Sha256("sãopaulo")], fallback.Ct);
        Assert.Equal([Sha256("sp")], fallback.St);
        Assert.Equal([Sha256("br")], fallback.Country);
        Assert.Equal([Sha256("01310100")], fallback.Zp);
        // No name on the default address: the customer's own.
        Assert.Equal([Sha256("zoë")], fallback.Fn);
    }

    [Fact]
    public void A_guest_order_with_ip_and_user_agent_is_sent_without_customer_keys()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        foreach (var field in new[] { "email", "contact_email", "phone", "customer", "billing_address", "shipping_address" })
        {
            order.Remove(field);
        }

        var user = CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!.UserData;

        Assert.Empty(user.Em);
        Assert.Empty(user.ExternalId);
        Assert.Empty(user.Fn);
        Assert.Equal("198.51.100.23", user.ClientIpAddress);
    }

    [Theory]
    [InlineData("/collections/all?utm_source=x", "[{\"name\":\"_epik\",\"value\":\" from-note \"}]", "from-note")]
    [InlineData("https://shop.example/?epik=a%2Bb&x=1", "[]", "a+b")]
    [InlineData("/?epik=", "[]", null)]
    [InlineData(null, "[{\"name\":\"gift\",\"value\":\"x\"}]", null)]
    public void The_click_id_comes_from_the_landing_site_else_the_note_attributes_and_is_never_invented(string? landingSite, string notes, string? expected)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order["landing_site"] = landingSite;
        order["note_attributes"] = JsonNode.Parse(notes);

        Assert.Equal(expected, CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop).Event!.UserData.ClickId);
    }

    [Theory]
    [InlineData("id", "1e400")]
    [InlineData("id", "1.5")]
    [InlineData("id", "-5")]
    [InlineData("id", "0")]
    [InlineData("id", "18446744073709551616")]
    [InlineData("id", "\"abc\"")]
    [InlineData("id", "null")]
    [InlineData("created_at", "\"0001-01-01T00:00:00Z\"")]
    [InlineData("created_at", "\"2999-01-01T00:00:00Z\"")]
    [InlineData("subtotal_price_set", "{\"presentment_money\":{\"amount\":\"12,50\",\"currency_code\":\"EUR\"}}")]
    [InlineData("subtotal_price_set", "{\"presentment_money\":{\"amount\":\"-1.00\",\"currency_code\":\"EUR\"}}")]
    [InlineData("subtotal_price_set", "{\"presentment_money\":{\"amount\":1e308,\"currency_code\":\"EUR\"}}")]
    [InlineData("subtotal_price_set", "{\"presentment_money\":{\"amount\":\"1.00\",\"currency_code\":\"euro\"}}")]
    public void A_field_that_fails_its_check_makes_the_order_unmappable_with_the_field_named(string field, string json)
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order[field] = JsonNode.Parse(json);

        var error = Assert.Throws<UnmappableWebhookException>(() => CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop));

        Assert.True(error.Message.Contains(field.Split('_')[0], StringComparison.Ordinal) || error.Message.Contains("amount", StringComparison.Ordinal) || error.Message.Contains("currency", StringComparison.Ordinal), error.Message);
        Assert.True(error.Message.Length < 300, error.Message);
    }

    [Fact]
    public void A_300_character_currency_is_refused_and_quoted_short()
    {
        var order = JsonNode.Parse(ShopifySamples.WebOrder())!.AsObject();
        order["subtotal_price_set"] = new JsonObject { ["presentment_money"] = new JsonObject { ["amount"] = "1.00", ["currency_code"] = new string('X', 300) } };

        var error = Assert.Throws<UnmappableWebhookException>(() => CheckoutEventMapper.Map(Webhook(Encoding.UTF8.GetBytes(order.ToJsonString())), LiveShop));

        Assert.Contains("ISO 4217", error.Message, StringComparison.Ordinal);
        Assert.Contains("(300 characters)", error.Message, StringComparison.Ordinal);
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
