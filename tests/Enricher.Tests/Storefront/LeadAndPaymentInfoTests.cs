using Streaming.Enricher.Sessions;
using Streaming.Enricher.Storefront;

namespace Streaming.Enricher.Tests.Storefront;

/// <summary>
/// lead from a submitted newsletter or contact form (the table of theme forms in tests/Fixtures/lead-forms.json,
/// which the pixel's tests read too) and add_payment_info from payment_info_submitted, each with its setting.
/// </summary>
public sealed class LeadAndPaymentInfoTests
{
    private static readonly JsonArray Forms =
        JsonNode.Parse(File.ReadAllText(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "lead-forms.json")))!["forms"]!.AsArray();

    public static TheoryData<string> FormNames() => [.. Forms.Select(f => f!["form"]!.GetValue<string>())];

    [Theory]
    [MemberData(nameof(FormNames))]
    public void Each_theme_form_becomes_a_lead_with_its_email_or_nothing(string formName)
    {
        var form = Forms.Single(f => f!["form"]!.GetValue<string>() == formName)!;
        using var submitted = FormSubmitted(form);
        var (storefrontEvent, session) = Arrived(submitted);

        var recognised = LeadForms.Recognise(submitted.RootElement);
        var (lead, skipped) = StorefrontEventMapper.Map(storefrontEvent, submitted.RootElement, session, Shop());

        Assert.Equal(form["lead"]?.GetValue<string>(), recognised?.Kind);
        Assert.Equal(form["email"]?.GetValue<string>(), recognised?.Email);
        if (recognised is null)
        {
            Assert.Null(lead);
            Assert.Equal(SkipReasons.NotALead, skipped);
            return;
        }

        Assert.Null(skipped);
        Assert.Equal((PinterestEventNames.Lead, storefrontEvent.EventId), (lead!.EventName, lead.EventId));
        Assert.Equal([MatchKeys.Sha256Hex(MatchKeys.Email(recognised.Email)!)], lead.UserData.Em);
        Assert.Equal(("click", "203.0.113.7", "UA"), (lead.UserData.ClickId, lead.UserData.ClientIpAddress, lead.UserData.ClientUserAgent));
        // Nothing else of the form reaches Pinterest: no name, no phone, no message.
        Assert.Empty(lead.UserData.Ph);
        Assert.Empty(lead.UserData.Fn);
        Assert.Null(lead.CustomData.Value);
    }

    [Fact]
    public void With_leads_turned_off_a_newsletter_form_is_left_out_as_leads_off_and_a_login_form_is_still_no_lead()
    {
        var shop = Shop();
        shop.Events.SendLeads = false;
        using var newsletter = FormSubmitted(Forms[0]!);
        using var login = FormSubmitted(Forms.Single(f => f!["form"]!.GetValue<string>().StartsWith("Dawn login", StringComparison.Ordinal))!);

        var (_, off) = Map(newsletter, shop);
        var (_, notALead) = Map(login, shop);

        Assert.Equal(SkipReasons.LeadsOff, off);
        Assert.True(SkipReasons.IsExclusion(off!));
        Assert.Equal(SkipReasons.NotALead, notALead);
        Assert.False(SkipReasons.IsExclusion(notALead!));
    }

    [Fact]
    public void Payment_info_submitted_becomes_add_payment_info_with_the_checkouts_value_items_and_contact()
    {
        using var payment = JsonDocument.Parse(ShopifySamples.Fixture("pixel-payment_info_submitted.json"));

        var (sent, skipped) = Map(payment, Shop());

        Assert.Null(skipped);
        var checkout = payment.RootElement.GetProperty("data").GetProperty("checkout");
        Assert.Equal(PinterestEventNames.AddPaymentInfo, sent!.EventName);
        Assert.Equal(checkout.GetProperty("subtotalPrice").GetProperty("amount").GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture), sent.CustomData.Value);
        Assert.Equal("EUR", sent.CustomData.Currency);
        Assert.Equal(["9007199254741207", "9007199254741429"], sent.CustomData.ContentIds);
        Assert.Equal([MatchKeys.Sha256Hex("zoe.angstrom@example.net")], sent.UserData.Em);
        Assert.Equal([MatchKeys.Sha256Hex("de")], sent.UserData.Country);
    }

    [Fact]
    public void With_payment_info_turned_off_it_is_left_out_while_browsing_events_still_go()
    {
        var shop = Shop();
        shop.Events.SendPaymentInfo = false;
        using var payment = JsonDocument.Parse(ShopifySamples.Fixture("pixel-payment_info_submitted.json"));
        using var started = JsonDocument.Parse(ShopifySamples.Fixture("pixel-checkout_started.json"));

        Assert.Equal(SkipReasons.PaymentInfoOff, Map(payment, shop).SkipReason);
        Assert.Equal(PinterestEventNames.InitiateCheckout, Map(started, shop).Event?.EventName);
    }

    [Fact]
    public void Without_marketing_consent_a_lead_is_dropped_like_any_storefront_event()
    {
        using var newsletter = FormSubmitted(Forms[0]!);
        var (storefrontEvent, session) = Arrived(newsletter, marketing: false);

        var (lead, skipped) = StorefrontEventMapper.Map(storefrontEvent, newsletter.RootElement, session, Shop());

        Assert.Null(lead);
        Assert.Equal(SkipReasons.NoMarketingConsent, skipped);
    }

    internal static JsonDocument FormSubmitted(JsonNode form, string? href = null)
    {
        var submitted = JsonNode.Parse(ShopifySamples.Fixture("pixel-form_submitted.json"))!;
        if (href is not null)
        {
            submitted["context"]!["document"]!["location"] = new JsonObject { ["href"] = href };
        }

        submitted["timestamp"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O");
        submitted["data"] = new JsonObject
        {
            ["element"] = new JsonObject { ["id"] = form["id"]?.DeepClone(), ["action"] = form["action"]!.DeepClone(), ["elements"] = form["elements"]!.DeepClone() },
        };
        return JsonDocument.Parse(submitted.ToJsonString());
    }

    private static EnricherShop Shop() => new() { Domain = TestSettings.Shop };

    private static (StorefrontEvent Event, Session Session) Arrived(JsonDocument pixel, bool marketing = true)
    {
        var storefrontEvent = SessionTests.Event(pixel, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), "click", "203.0.113.7", "UA", marketing: marketing);
        return (storefrontEvent, SessionRecorder.Record(null, storefrontEvent, pixel.RootElement));
    }

    private static (PinterestEvent? Event, string? SkipReason) Map(JsonDocument pixel, EnricherShop shop)
    {
        var (storefrontEvent, session) = Arrived(pixel);
        return StorefrontEventMapper.Map(storefrontEvent, pixel.RootElement, session, shop);
    }
}
