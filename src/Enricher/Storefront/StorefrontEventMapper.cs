using System.Globalization;
using Streaming.Enricher.Hashing;
using Streaming.Enricher.Orders;
using Streaming.Enricher.Stitching;
using static Streaming.Enricher.Orders.OrderJson;

namespace Streaming.Enricher.Storefront;

/// <summary>
/// The browsing events Pinterest can use beyond purchases and adds to cart, made from storefront events:
/// <c>page_visit</c> (product viewed), <c>view_category</c> (collection viewed), <c>search</c> (search
/// submitted), <c>initiate_checkout</c> (checkout started), <c>add_payment_info</c> (payment info submitted)
/// and <c>lead</c> (a newsletter or contact form submitted, see <see cref="LeadForms"/>). Each carries the
/// event id the pixel gave the Tag for the same event (add_payment_info has no Tag event: server only).
/// </summary>
public static class StorefrontEventMapper
{
    private const int MaxContentIds = 50;

    public static string? PinterestName(string shopifyEventName) => shopifyEventName switch
    {
        "product_viewed" => PinterestEventNames.PageVisit,
        "collection_viewed" => PinterestEventNames.ViewCategory,
        "search_submitted" => PinterestEventNames.Search,
        "checkout_started" => PinterestEventNames.InitiateCheckout,
        "payment_info_submitted" => PinterestEventNames.AddPaymentInfo,
        "form_submitted" => PinterestEventNames.Lead,
        _ => null,
    };

    /// <summary>Why the shop's settings leave the event out, or null.</summary>
    private static string? TurnedOff(string name, ShopEventOptions events) => name switch
    {
        PinterestEventNames.AddPaymentInfo => events.SendPaymentInfo ? null : SkipReasons.PaymentInfoOff,
        PinterestEventNames.Lead => events.SendLeads ? null : SkipReasons.LeadsOff,
        _ => events.SendBrowsingEvents ? null : SkipReasons.BrowsingEventsOff,
    };

    /// <summary>The event, or why there is none. <paramref name="session"/> already holds this event.</summary>
    public static (PinterestEvent? Event, string? SkipReason) Map(StorefrontEvent storefrontEvent, JsonElement shopifyEvent, Session session, EnricherShop shop)
    {
        if (PinterestName(storefrontEvent.EventName) is not { } name)
        {
            return (null, SkipReasons.SessionOnly);
        }

        // A login or search form is no lead whatever the settings say: nothing was left out.
        var form = name == PinterestEventNames.Lead ? LeadForms.Recognise(shopifyEvent) : null;
        if (name == PinterestEventNames.Lead && form is null)
        {
            return (null, SkipReasons.NotALead);
        }

        if (TurnedOff(name, shop.Events) is { } off)
        {
            return (null, off);
        }

        // Ingest refuses such times (Storefront:MaxClockSkew, MaxEventAge), but a record replayed from Kafka
        // has not met that check: it meets the rule orders meet.
        if (PlausibleTime(storefrontEvent.OccurredAt.ToString("O", CultureInfo.InvariantCulture), DateTimeOffset.UtcNow) is null)
        {
            return (null, SkipReasons.ImplausibleEventTime);
        }

        var data = Object(shopifyEvent, "data");
        var custom = new PinterestCustomData();
        var user = new PinterestUserData();
        switch (name)
        {
            case PinterestEventNames.PageVisit when Object(data, "productVariant") is { } variant:
                AddVariant(custom, variant, quantity: null);
                break;
            case PinterestEventNames.ViewCategory:
                custom.ContentIds = Objects(Object(data, "collection"), "productVariants")
                    .Select(v => EventIds.IdOf(Text(v, "id"))).OfType<string>().Distinct().Take(MaxContentIds).ToList();
                break;
            case PinterestEventNames.Search:
                custom.SearchString = Text(Object(data, "searchResult"), "query");
                break;
            case PinterestEventNames.InitiateCheckout or PinterestEventNames.AddPaymentInfo when Object(data, "checkout") is { } checkout:
                Checkout(custom, user, checkout);
                break;
            case PinterestEventNames.Lead:
                user.Em = Hashed(MatchKeys.Email(form!.Email));
                break;
        }

        var draft = new PinterestEvent
        {
            ShopDomain = storefrontEvent.ShopDomain,
            EventName = name,
            ActionSource = "web",
            EventTime = new DateTimeOffset(storefrontEvent.OccurredAt, TimeSpan.Zero).ToUnixTimeSeconds(),
            EventId = storefrontEvent.EventId,
            UserData = user,
            CustomData = custom,
            EventSourceUrl = PageUrl(shopifyEvent),
        };
        return SessionStitcher.Stitch(draft, session, shop.Events);
    }

    private static void AddVariant(PinterestCustomData custom, JsonElement variant, long? quantity)
    {
        if (EventIds.IdOf(Text(variant, "id")) is not { } id)
        {
            return;
        }

        var price = Object(variant, "price");
        custom.ContentIds.Add(id);
        custom.Contents.Add(new PinterestContent
        {
            Id = id,
            ItemPrice = Amount(Property(price, "amount"), "The variant"),
            Quantity = quantity,
            ItemName = Text(Object(variant, "product"), "title"),
            ItemBrand = Text(Object(variant, "product"), "vendor"),
        });
        custom.Currency ??= Text(price, "currencyCode");
        custom.Value ??= custom.Contents[^1].ItemPrice;
    }

    private static void Checkout(PinterestCustomData custom, PinterestUserData user, JsonElement checkout)
    {
        long items = 0;
        foreach (var line in Objects(checkout, "lineItems"))
        {
            var quantity = line.TryGetProperty("quantity", out var q) && q.TryGetInt64(out var n) && n > 0 ? n : 0;
            items += quantity;
            if (Object(line, "variant") is { } variant)
            {
                AddVariant(custom, variant, quantity);
            }
        }

        var subtotal = Object(checkout, "subtotalPrice");
        custom.Currency = Text(checkout, "currencyCode") ?? Text(subtotal, "currencyCode") ?? custom.Currency;
        custom.Value = Amount(Property(subtotal, "amount"), "The checkout") ?? custom.Value;
        custom.NumItems = items > 0 ? items : null;
        var address = Object(checkout, "billingAddress") ?? Object(checkout, "shippingAddress");
        var country = Text(address, "countryCode");
        user.Em = Hashed(MatchKeys.Email(Text(checkout, "email")));
        user.Ph = Hashed(MatchKeys.Phone(Text(checkout, "phone") ?? Text(address, "phone"), country));
        user.Fn = Hashed(MatchKeys.Name(Text(address, "firstName")));
        user.Ln = Hashed(MatchKeys.Name(Text(address, "lastName")));
        user.Ct = Hashed(MatchKeys.City(Text(address, "city")));
        user.St = Hashed(MatchKeys.State(Text(address, "provinceCode")));
        user.Zp = Hashed(MatchKeys.Zip(Text(address, "zip"), country));
        user.Country = Hashed(MatchKeys.Country(country));
        user.ExternalId = Hashed(MatchKeys.ExternalId(EventIds.IdOf(Text(Object(Object(checkout, "order"), "customer"), "id"))));
    }

    private static List<string> Hashed(string? normalized) => normalized is null ? [] : [MatchKeys.Sha256Hex(normalized)];
}
