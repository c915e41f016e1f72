using Streaming.Enricher.Tests.Customers;
using Streaming.Enricher.Tests.Storefront;

namespace Streaming.Enricher.Tests.Processing;

/// <summary>A lead on a visit without a cart, and a signup from customers/create, through their processors.</summary>
public sealed class LeadAndSignupProcessorTests : IDisposable
{
    private readonly ProcessorHarness _harness = new();

    [Fact]
    public async Task A_lead_on_a_first_visit_without_a_cart_takes_the_click_id_its_landing_page_recorded_for_the_visitor()
    {
        var t0 = _harness.Clock.Now.AddMinutes(-5);
        await _harness.Storefront.ProcessAsync(ProcessorHarness.Session(cartToken: null, "click-landing", t0), _harness.Shop, t0.ToUnixTimeMilliseconds(), _harness.Context());
        await _harness.CommitAsync();
        // Submitted on a later page, whose address has no epik, and its post carries no click id (the cookie
        // could not be read): only the visitor's session knows it.
        using var form = LeadAndPaymentInfoTests.FormSubmitted(LeadFormsTable.Newsletter(), href: "https://test-shop.myshopify.com/collections/all");
        var submitted = SessionTests.Event(form, t0.AddSeconds(40).ToUnixTimeMilliseconds(), clickId: null, "203.0.113.9", "UA-session");
        var context = _harness.Context();

        var outcome = await _harness.Storefront.ProcessAsync(submitted, _harness.Shop, t0.AddSeconds(40).ToUnixTimeMilliseconds(), context);

        Assert.Equal(RecordOutcomes.Mapped, outcome);
        var lead = Assert.Single(context.Output.Events);
        Assert.Equal((PinterestEventNames.Lead, "click-landing"), (lead.EventName, lead.UserData.ClickId));
        Assert.NotNull((await _harness.ReadAsync(CartStates.Visitor(TestSettings.Shop, submitted.ClientId)))?.Session);
    }

    [Fact]
    public async Task A_customers_create_is_a_signup_at_once_with_no_session_and_its_outcome_says_so()
    {
        var shop = SignupMapperTests.SignupsOn();
        var context = _harness.Context();
        var webhook = ProcessorHarness.Webhook(ShopifyTopics.CustomersCreate, Encoding.UTF8.GetBytes(SignupMapperTests.Customer().ToJsonString()), _harness.Clock.Now);

        var outcome = await new CustomerProcessor().ProcessAsync(webhook, shop, _harness.Clock.Now.ToUnixTimeMilliseconds(), context);

        Assert.Equal(RecordOutcomes.Mapped, outcome);
        Assert.Equal("su_9007199254748811", Assert.Single(context.Output.Events).EventId);
        var decision = Assert.Single(context.Output.Decisions);
        Assert.Equal((ShopifyTopics.CustomersCreate, PinterestEventNames.Signup, false), (decision.Input, decision.EventName, decision.SessionJoined));
        Assert.Empty(context.Waiting.Due(long.MaxValue, long.MaxValue));
    }

    [Fact]
    public async Task With_signups_off_a_customers_create_is_counted_as_left_out_and_sends_nothing()
    {
        var context = _harness.Context();
        var webhook = ProcessorHarness.Webhook(ShopifyTopics.CustomersCreate, Encoding.UTF8.GetBytes(SignupMapperTests.Customer().ToJsonString()), _harness.Clock.Now);

        var outcome = await new CustomerProcessor().ProcessAsync(webhook, _harness.Shop, _harness.Clock.Now.ToUnixTimeMilliseconds(), context);

        Assert.Equal(SkipReasons.SignupsOff, outcome);
        Assert.Empty(context.Output.Events);
        var decision = Assert.Single(context.Output.Decisions);
        Assert.Equal((PinterestEventNames.Signup, RecordOutcomes.Skipped, SkipReasons.SignupsOff), (decision.EventName, decision.Outcome, decision.Reason));
    }

    public void Dispose() => _harness.Dispose();
}

/// <summary>Rows of tests/Fixtures/lead-forms.json by name.</summary>
internal static class LeadFormsTable
{
    public static System.Text.Json.Nodes.JsonNode Newsletter() =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "lead-forms.json")))!["forms"]![0]!;
}
