namespace Streaming.Dispatcher.Tests.Pinterest;

public sealed class RequestSizeTests
{
    private static readonly Uri Api = new("https://api.pinterest.com");

    private static readonly DispatcherShop Shop = new()
    {
        Domain = TestSettings.Shop,
        Pinterest = new DispatcherShopPinterest { AdAccountId = TestSettings.AdAccountId, ConversionToken = "t" },
    };

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(17, false)]
    public void The_size_of_a_body_is_known_from_its_events_before_it_is_built(int count, bool withMarket)
    {
        var events = Enumerable.Range(0, count).Select(Event).ToList();

        var body = ConversionRequest.For(Shop, events, Api, withMarket).Body;

        Assert.Equal(Encoding.UTF8.GetByteCount(body), RequestSize.Of(events.Select(e => ConversionRequest.Bytes(e, withMarket))));
    }

    [Theory]
    [InlineData(new[] { 10, 10, 10 }, 100, "3")]
    // {"data":[ + 40 + , + 40 + ]} = 92 bytes; a third does not fit.
    [InlineData(new[] { 40, 40, 40 }, 92, "2 1")]
    [InlineData(new[] { 40, 40, 40 }, 91, "1 1 1")]
    // Too large alone: a request of its own, and the others go on being packed.
    [InlineData(new[] { 10, 500, 10, 10 }, 100, "1 1 2")]
    [InlineData(new int[0], 100, "")]
    public void Events_are_packed_in_order_into_the_fewest_requests_within_the_limit(int[] sizes, int maxBytes, string expected)
    {
        var runs = RequestSize.Pack(sizes.Select((bytes, i) => (bytes, i)).ToList(), e => e.bytes, maxBytes);

        Assert.Equal(expected, string.Join(" ", runs.Select(r => r.Count)));
        Assert.Equal(Enumerable.Range(0, sizes.Length), runs.SelectMany(r => r.Select(e => e.i)));
        Assert.All(runs.Where(r => r.Count > 1), r => Assert.InRange(RequestSize.Of(r.Select(e => e.bytes)), 0, maxBytes));
    }

    private static PinterestEvent Event(int i)
    {
        var e = TestRecords.Checkout($"size-{i}");
        e.UserData.ClientUserAgent = $"Mozilla/5.0 (X11; Linux) \"quoted\" ünïcödé {i}";
        e.CustomData.SearchString = new string('q', i * 7);
        return e;
    }
}
