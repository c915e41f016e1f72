using Streaming.Replay.Setup;
using Streaming.Replay.Shopify;

namespace Streaming.Replay.Tests;

/// <summary>The plan alone, without HTTP: what fits is kept, and the app's subscriptions are told apart by topic, address and format.</summary>
public sealed class SubscriptionPlanTests
{
    private const string Address = "https://track.example.com/webhooks/shopify";

    [Theory]
    [InlineData("orders/create", "ORDERS_CREATE")]
    [InlineData("checkouts/update", "CHECKOUTS_UPDATE")]
    [InlineData("app_subscriptions/update", "APP_SUBSCRIPTIONS_UPDATE")]
    public void A_header_topic_and_its_GraphQL_enum_value_map_both_ways(string topic, string enumValue)
    {
        Assert.Equal(enumValue, WebhookSubscription.EnumOf(topic));
        Assert.Equal(topic, WebhookSubscription.TopicOf(enumValue));
    }

    [Fact]
    public void An_XML_subscription_to_this_address_is_updated_and_a_trailing_slash_or_case_is_no_difference()
    {
        var existing = new List<WebhookSubscription>
        {
            new("gid://1", "ORDERS_CREATE", Address, "XML", ShopifyApi.Version),
            new("gid://2", "ORDERS_PAID", "HTTPS://TRACK.example.com/webhooks/shopify/", "JSON", ShopifyApi.Version),
        };

        var plan = SubscriptionPlan.Subscribe(["orders/create", "orders/paid"], Address, existing);

        Assert.Equal(
            [(SubscriptionAction.Update, "ORDERS_CREATE"), (SubscriptionAction.Keep, "ORDERS_PAID")],
            plan.Steps.Select(s => (s.Action, s.Topic)));
    }

    [Fact]
    public void Every_topic_Ingest_writes_is_planned_once_even_when_named_twice()
    {
        var plan = SubscriptionPlan.Subscribe([.. ShopifyTopics.Written, ShopifyTopics.OrdersCreate], Address, []);

        Assert.Equal(ShopifyTopics.Written.Count, plan.Steps.Count);
        Assert.All(plan.Steps, s => Assert.Equal(SubscriptionAction.Create, s.Action));
    }
}
