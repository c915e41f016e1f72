namespace Streaming.EndToEnd.Tests.Privacy;

/// <summary>
/// Shopify's compliance webhooks through the whole pipeline: three shoppers of two shops, each with a
/// session, a cart, a checkout, an order and a dead letter, then a request. What the stores return is
/// read from their compacted changelog and the dead-letter topic as compaction leaves them.
/// </summary>
[Collection(OnKafka.Name)]
public sealed class ComplianceWebhookTests(KafkaFixture kafka)
{
    [Fact]
    public async Task Customers_redact_erases_the_customers_session_cart_checkout_order_and_dead_letter_and_nobody_elses()
    {
        await using var rig = await PrivacyRig.StartAsync(kafka);
        await rig.SeedAsync();
        var (alice, bob, carol) = (rig.Alice, rig.Bob, rig.Carol);

        var parts = await rig.RequestAsync(alice, ShopifyTopics.CustomersRedact, alice.RedactBody(alice.OrderId, alice.PoisonOrderId));

        Assert.All(parts, p => Assert.Equal(PrivacyReport.Erased, p.Action));
        Assert.Equal(Enumerable.Range(0, rig.Topics.ShopifyWebhooks.Partitions), parts.Select(p => p.Part).Order());
        // The cart (session, lines, sent order) and the checkout's link to it.
        Assert.Equal(2, parts.Sum(p => p.Holdings.Single(h => h.Store == PersonalDataStores.EnricherState).Entries));
        Assert.Equal(1, parts.Single(p => p.Part == 0).Holdings.Single(h => h.Store == PersonalDataStores.DeadLetters).Entries);

        // A batch writes its answers first and commits its state (the tombstones) right after.
        await PrivacyRig.WaitForAsync("the tombstones of Alice's cart", () => Task.FromResult(!rig.Changelog().Latest.ContainsKey($"{alice.Shop}/{alice.Cart}")));
        var state = rig.Changelog().Latest;
        Assert.DoesNotContain(state.Keys, k => k.Contains(alice.Cart, StringComparison.Ordinal) || k.Contains(alice.Checkout, StringComparison.Ordinal));
        Assert.DoesNotContain(state.Values, v => alice.PersonalValues.Any(p => TopicSnapshot.Holds(v, p)));
        Assert.True(TopicSnapshot.Holds(state[$"{bob.Shop}/{bob.Cart}"], bob.Ip), "Bob's session is gone too.");
        Assert.True(TopicSnapshot.Holds(state[$"{carol.Shop}/{carol.Cart}"], carol.Ip), "Carol's session is gone too.");
        Assert.Contains($"{bob.Shop}/checkout:{bob.Checkout}", state.Keys);

        var letters = rig.DeadLetters().Latest.Values.ToList();
        Assert.Equal(3, letters.Count);
        Assert.DoesNotContain(letters, l => alice.PersonalValues.Any(p => TopicSnapshot.Holds(l, p)));
        Assert.Single(letters, l => TopicSnapshot.Holds(l, bob.Email) && TopicSnapshot.Holds(l, bob.LastName));
        Assert.Single(letters, l => TopicSnapshot.Holds(l, carol.Email));
        // What is left of Alice's letter still says which order failed, where and why.
        var redacted = (await PrivacyRig.DecodeAsync<DeadLetter>(letters.Single(l => TopicSnapshot.Holds(l, "personal data removed")), rig.Topics.DeadLetters.Name))!;
        Assert.Equal(rig.Topics.ShopifyWebhooks.Name, redacted.SourceTopic);
        Assert.Equal(RecordOutcomes.Reasons.Unmappable, redacted.Reason);
        var webhook = (await PrivacyRig.DecodeAsync<ShopifyWebhook>(redacted.Value!, rig.Topics.ShopifyWebhooks.Name))!;
        Assert.Contains(alice.PoisonOrderId, System.Text.Encoding.UTF8.GetString(webhook.Body), StringComparison.Ordinal);

        Assert.Contains(rig.MetricTags, t => t is { Instrument: "pipeline.privacy.entries", Tag: "store", Value: PersonalDataStores.EnricherState });
        Assert.Contains(rig.MetricTags, t => t is { Instrument: "pipeline.privacy.entries", Tag: "store", Value: PersonalDataStores.DeadLetters });
    }

    [Fact]
    public async Task Shop_redact_erases_every_entry_and_dead_letter_of_the_shop_and_leaves_the_other_shop_alone()
    {
        await using var rig = await PrivacyRig.StartAsync(kafka);
        await rig.SeedAsync();
        var (alice, bob, carol) = (rig.Alice, rig.Bob, rig.Carol);

        var parts = await rig.RequestAsync(carol, ShopifyTopics.ShopRedact, $$"""{"shop_id":954889,"shop_domain":"{{carol.Shop}}"}""");

        Assert.All(parts, p => Assert.Null(p.CustomerId));
        await PrivacyRig.WaitForAsync("the tombstones of Carol's cart", () => Task.FromResult(!rig.Changelog().Latest.ContainsKey($"{carol.Shop}/{carol.Cart}")));
        var state = rig.Changelog().Latest;
        Assert.DoesNotContain(state.Keys, k => k.StartsWith(carol.Shop + "/", StringComparison.Ordinal));
        Assert.DoesNotContain(state.Values, v => carol.PersonalValues.Any(p => TopicSnapshot.Holds(v, p)));
        Assert.Contains($"{alice.Shop}/{alice.Cart}", state.Keys);
        Assert.Contains($"{bob.Shop}/{bob.Cart}", state.Keys);
        var letters = rig.DeadLetters().Latest.Values.ToList();
        Assert.DoesNotContain(letters, l => carol.PersonalValues.Any(p => TopicSnapshot.Holds(l, p)));
        Assert.Single(letters, l => TopicSnapshot.Holds(l, alice.Email));
        Assert.Single(letters, l => TopicSnapshot.Holds(l, bob.Email));
    }

    [Fact]
    public async Task Data_request_reports_kinds_and_dates_of_what_is_held_and_never_the_values()
    {
        await using var rig = await PrivacyRig.StartAsync(kafka);
        var before = DateTime.UtcNow.AddMinutes(-5);
        await rig.SeedAsync();
        var alice = rig.Alice;

        var parts = await rig.RequestAsync(alice, ShopifyTopics.CustomersDataRequest, alice.DataRequestBody(alice.OrderId, alice.PoisonOrderId));

        Assert.All(parts, p => Assert.Equal((PrivacyReport.Reported, alice.CustomerId, "9999"), (p.Action, p.CustomerId, p.DataRequestId)));
        var state = parts.SelectMany(p => p.Holdings).Where(h => h.Store == PersonalDataStores.EnricherState && h.Entries > 0).ToList();
        Assert.Equal(2, state.Sum(h => h.Entries));
        var kinds = state.SelectMany(h => h.Kinds).ToHashSet();
        Assert.Superset(
            new HashSet<string>
            {
                PersonalDataStores.Kinds.IpAddress, PersonalDataStores.Kinds.UserAgent, PersonalDataStores.Kinds.ClickId,
                PersonalDataStores.Kinds.CartContents, PersonalDataStores.Kinds.OrderIds, PersonalDataStores.Kinds.CheckoutLink,
            },
            kinds);
        Assert.All(state, h => Assert.InRange(h.FirstAt!.Value, before, h.LastAt!.Value));
        var letters = parts.Single(p => p.Part == 0).Holdings.Single(h => h.Store == PersonalDataStores.DeadLetters);
        Assert.Equal((1, PersonalDataStores.Kinds.OrderBody), (letters.Entries, Assert.Single(letters.Kinds)));

        // A report changes nothing, and says nothing but kinds and dates.
        Assert.Contains($"{alice.Shop}/{alice.Cart}", rig.Changelog().Latest.Keys);
        var written = TopicSnapshot.Read(rig.Kafka.BootstrapServers, rig.Topics.PrivacyReports.Name).Records;
        Assert.DoesNotContain(written, r => alice.PersonalValues.Any(p => TopicSnapshot.Holds(r.Message.Value, p)));
    }

    [Theory]
    [InlineData(ShopifyTopics.CustomersRedact)]
    [InlineData(ShopifyTopics.ShopRedact)]
    [InlineData(ShopifyTopics.CustomersDataRequest)]
    public async Task A_compliance_request_with_a_wrong_signature_gets_401_and_nothing_is_written(string topic)
    {
        await using var rig = await PrivacyRig.StartAsync(kafka, ingestOnly: true);
        var alice = rig.Alice;
        var forged = alice with { Secret = "not-the-shop-secret" };

        using var request = forged.Webhook(rig.Ingest, topic, alice.RedactBody(alice.OrderId));
        using var response = await rig.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("X-Shopify-Hmac-Sha256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(TopicSnapshot.Read(kafka.BootstrapServers, rig.Topics.ShopifyWebhooks.Name).Records);
    }
}
