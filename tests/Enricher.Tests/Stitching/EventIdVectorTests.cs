using Streaming.Enricher.Output;
using Streaming.Enricher.Storefront;

namespace Streaming.Enricher.Tests.Stitching;

/// <summary>tests/Fixtures/event-ids.json is the contract with the pixel: the enricher must give every vector's event id.</summary>
public sealed class EventIdVectorTests
{
    private static readonly JsonElement Vectors =
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "event-ids.json"))).RootElement;

    [Fact]
    public void A_checkout_event_id_is_the_numeric_tail_of_the_order_gid_the_pixel_sees()
    {
        var vectors = Vectors.GetProperty("checkout").EnumerateArray().ToList();

        Assert.True(vectors.Count >= 5);
        foreach (var vector in vectors)
        {
            var id = EventIds.IdOf(vector.GetProperty("order_gid").GetString());
            Assert.Equal(vector.GetProperty("event_id").GetString(), id is null ? null : EventIds.Checkout(id));
        }
    }

    [Fact]
    public void A_derived_add_to_cart_event_id_matches_every_vector()
    {
        var vectors = Vectors.GetProperty("add_to_cart").EnumerateArray().ToList();

        Assert.True(vectors.Count >= 4);
        foreach (var v in vectors)
        {
            Assert.Equal(
                v.GetProperty("event_id").GetString(),
                EventIds.AddToCart(
                    v.GetProperty("shop").GetString()!,
                    v.GetProperty("cart_token").GetString()!,
                    v.GetProperty("variant_id").GetString()!,
                    v.GetProperty("quantity_after").GetInt64(),
                    v.GetProperty("cart_updated_at").GetString()!));
        }
    }

    [Fact]
    public void A_signup_event_id_is_su_and_the_customer_ids_digits()
    {
        var vectors = Vectors.GetProperty("signup").EnumerateArray().ToList();

        Assert.True(vectors.Count >= 4);
        foreach (var v in vectors)
        {
            var id = EventIds.IdOf(v.GetProperty("customer_id").GetString());
            Assert.Equal(v.GetProperty("event_id").GetString(), id is null ? null : EventIds.Signup(id));
        }
    }

    [Fact]
    public void Each_storefront_event_of_the_vectors_becomes_the_Pinterest_event_they_name()
    {
        var vectors = Vectors.GetProperty("storefront").EnumerateArray().ToList();

        Assert.Contains(vectors, v => v.GetProperty("pinterest_event").GetString() == "lead");
        Assert.Contains(vectors, v => v.GetProperty("pinterest_event").GetString() == "add_payment_info");
        foreach (var v in vectors)
        {
            var shopifyEvent = v.GetProperty("shopify_event").GetString()!;
            Assert.Equal(v.GetProperty("pinterest_event").GetString(), StorefrontEventMapper.PinterestName(shopifyEvent));
            Assert.Equal(v.GetProperty("pinterest_event").GetString(), Outcomes.EventNameOf(Outcomes.StorefrontInput(shopifyEvent)));
        }
    }
}
