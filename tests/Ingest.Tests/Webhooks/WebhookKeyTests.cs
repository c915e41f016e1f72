using System.Text;
using Streaming.Ingest.Webhooks;

namespace Streaming.Ingest.Tests.Webhooks;

public sealed class WebhookKeyTests
{
    [Theory]
    [InlineData("""{"id":820982911946154508,"token":"t"}""", "s.myshopify.com/820982911946154508")]
    [InlineData("""{"note":{"id":5},"id":"gid-7"}""", "s.myshopify.com/gid-7")]
    [InlineData("""{"token":"c1-abc","line_items":[{"id":9}]}""", "s.myshopify.com/c1-abc")]
    [InlineData("""{"line_items":[]}""", "s.myshopify.com/delivery-1")]
    [InlineData("""not json""", "s.myshopify.com/delivery-1")]
    [InlineData("""[1,2]""", "s.myshopify.com/delivery-1")]
    [InlineData("", "s.myshopify.com/delivery-1")]
    public void The_key_is_shop_and_resource_id_else_the_delivery_id(string body, string expected)
    {
        Assert.Equal(expected, WebhookKey.For("s.myshopify.com", Encoding.UTF8.GetBytes(body), "delivery-1"));
    }
}
