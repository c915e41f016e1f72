namespace Streaming.Ingest.Tests.Webhooks;

public sealed class WebhookKeyTests
{
    [Theory]
    [InlineData("orders/create", """{"id":820982911946154508,"cart_token":"Z2NwLXVz","checkout_token":"c0"}""", "s.myshopify.com/Z2NwLXVz")]
    [InlineData("orders/paid", """{"id":820982911946154508,"cart_token":"Z2NwLXVz"}""", "s.myshopify.com/Z2NwLXVz")]
    [InlineData("orders/create", """{"id":820982911946154508,"cart_token":null,"source_name":"pos"}""", "s.myshopify.com/820982911946154508")]
    [InlineData("orders/create", """{"id":9007199254740993,"cart_token":""}""", "s.myshopify.com/9007199254740993")]
    [InlineData("carts/update", """{"id":"Z2NwLXVz","token":"Z2NwLXVz","line_items":[{"id":9}]}""", "s.myshopify.com/Z2NwLXVz")]
    [InlineData("carts/create", """{"id":"c1-abc"}""", "s.myshopify.com/c1-abc")]
    [InlineData("checkouts/create", """{"token":"8c7b","cart_token":"Z2NwLXVz"}""", "s.myshopify.com/Z2NwLXVz")]
    [InlineData("checkouts/update", """{"id":41,"token":"8c7b","cart_token":null}""", "s.myshopify.com/8c7b")]
    [InlineData("checkouts/update", """{"id":41,"cart_token":null}""", "s.myshopify.com/41")]
    [InlineData("orders/create", """{"note":{"cart_token":"nested","id":5},"line_items":[]}""", "s.myshopify.com/delivery-1")]
    public void Records_of_one_cart_share_a_key_and_cartless_ones_use_their_own_id(string topic, string body, string expected)
    {
        var (inspected, error) = WebhookBody.Inspect(Encoding.UTF8.GetBytes(body));

        Assert.Null(error);
        Assert.Equal(expected, WebhookKey.For("s.myshopify.com", topic, inspected, "delivery-1"));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON array")]
    [InlineData("\"text\"", "JSON string")]
    [InlineData("null", "JSON null")]
    [InlineData("42", "JSON number")]
    [InlineData("""{"id":1,""", "not valid JSON")]
    [InlineData("""{"id":1,"a":[1,2}""", "not valid JSON")]
    [InlineData("""{"id":1} {"id":2}""", "not valid JSON")]
    public void A_body_that_is_not_one_JSON_object_is_named_as_such(string body, string message)
    {
        var (_, error) = WebhookBody.Inspect(Encoding.UTF8.GetBytes(body));

        Assert.NotNull(error);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ids_above_two_to_the_53_are_kept_digit_for_digit()
    {
        var (inspected, _) = WebhookBody.Inspect("""{"id":18446744073709551615}"""u8);

        Assert.Equal("18446744073709551615", inspected.Id);
    }
}
