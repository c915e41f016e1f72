using System.Text.Json.Nodes;
using Streaming.Dispatcher;
using Streaming.Enricher;

namespace Streaming.Pixel.Tests;

/// <summary>
/// Forms and the payment step: what the pixel posts of a submitted form (the e-mail of a newsletter or
/// contact form, nothing of any other), the ids and Tag events the shared vectors pin, and a whole
/// journey from the browser to the fake Pinterest.
/// </summary>
public sealed partial class PixelTests
{
    private const string Password = "hunter2-secret";
    private const string Message = "Please call me back about the dripper";
    private const string Phone = "555-0142"; // Dawn's pattern allows digits and dashes only: anything else blocks the submit
    private const string Name = "Mika Sato";

    [BrowserFact]
    public async Task A_submitted_newsletter_or_contact_form_posts_only_its_email_and_a_login_form_posts_nothing()
    {
        var page = await OpenAsync(Init(cart: CartToken, AllAllowed));

        await page.FillAsync("#NewsletterForm--footer", "news@example.org");
        await page.ClickAsync("#Subscribe");
        await page.FillAsync("#ContactForm-name", Name);
        await page.FillAsync("#ContactForm-email", "contact@example.org");
        await page.FillAsync("#ContactForm-phone", Phone);
        await page.FillAsync("#ContactForm-body", Message);
        await page.FillAsync("#ContactForm-password", Password);
        await page.ClickAsync("#ContactForm button[type=submit]");
        await page.FillAsync("#CustomerEmail", "login@example.org");
        await page.FillAsync("#CustomerPassword", Password);
        await page.ClickAsync("#customer_login button");

        var posts = await PostsAsync(page, 2);
        await AssertNothingMoreAsync(page, posted: 2);
        Assert.All(posts, p => Assert.Equal(202, p.Status));
        Assert.Equal(
            [("form_type", "customer"), ("contact[tags]", "newsletter"), ("contact[email]", "news@example.org")],
            Fields(posts[0]));
        Assert.Equal([("form_type", "contact"), ("contact[email]", "contact@example.org")], Fields(posts[1]));
        var sent = string.Join('\n', await page.EvaluateAsync<string[]>("() => collected.map(c => c.body)"));
        foreach (var secret in new[] { Password, Message, Phone, Name, "login@example.org", "Phone number", "Comment" })
        {
            Assert.DoesNotContain(secret, sent, StringComparison.Ordinal);
        }

        Assert.All(posts, p => Assert.StartsWith("ld_", Id(p), StringComparison.Ordinal));
        var leads = (await TagCallsAsync(page)).Where(c => c.Count > 2 && c[1]!.GetValue<string>() == "lead").ToList();
        Assert.Equal([(Id(posts[0]), "Newsletter"), (Id(posts[1]), "Contact")], leads.Select(c => (c[2]!["event_id"]!.GetValue<string>(), c[2]!["lead_type"]!.GetValue<string>())));
        Assert.Empty(await page.EvaluateAsync<string[]>("() => pageErrors"));
    }

    [BrowserFact]
    public async Task Every_theme_form_of_the_shared_table_is_posted_as_the_table_says_or_not_at_all()
    {
        var forms = JsonNode.Parse(File.ReadAllText(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "lead-forms.json")))!["forms"]!.AsArray();
        var page = await OpenAsync(Init(cart: CartToken, AllAllowed));

        foreach (var form in forms)
        {
            var submitted = Fixture("form_submitted");
            submitted["data"] = new JsonObject { ["element"] = new JsonObject { ["id"] = form!["id"]?.DeepClone(), ["action"] = form["action"]!.DeepClone(), ["elements"] = form["elements"]!.DeepClone() } };
            await PublishAsync(page, submitted);
        }

        var leads = forms.Where(f => f!["lead"] is not null).ToList();
        var posts = await PostsAsync(page, leads.Count);
        await AssertNothingMoreAsync(page, posted: leads.Count);
        for (var i = 0; i < leads.Count; i++)
        {
            var posted = Fields(posts[i]);
            Assert.Equal(leads[i]!["posted"]!.AsArray().Select(n => n!.GetValue<string>()), posted.Select(f => f.Name));
            Assert.Contains(posted, f => f.Value == leads[i]!["email"]!.GetValue<string>());
            Assert.Equal(202, posts[i].Status);
        }
    }

    [BrowserFact]
    public async Task Each_storefront_event_of_the_shared_vectors_gets_its_id_prefix_and_its_Tag_event_with_the_same_id()
    {
        var vectors = JsonNode.Parse(File.ReadAllText(Path.Combine(ShopifySamples.RepositoryRoot(), "tests", "Fixtures", "event-ids.json")))!["storefront"]!.AsArray();
        var page = await OpenAsync(Init(cart: CartToken, AllAllowed));

        foreach (var vector in vectors)
        {
            var name = vector!["shopify_event"]!.GetValue<string>();
            var shopifyEvent = Fixture(name switch
            {
                "collection_viewed" or "search_submitted" => "page_viewed",
                _ => name,
            });
            shopifyEvent["name"] = name;
            await PublishAsync(page, shopifyEvent);
        }

        var posts = await PostsAsync(page, vectors.Count);
        var tracked = (await TagCallsAsync(page)).Where(c => c.Count > 2).ToDictionary(c => c[2]!["event_id"]!.GetValue<string>(), c => c[1]!.GetValue<string>());
        for (var i = 0; i < vectors.Count; i++)
        {
            Assert.Equal(vectors[i]!["shopify_event"]!.GetValue<string>(), posts[i].Body["event"]!["name"]!.GetValue<string>());
            Assert.StartsWith(vectors[i]!["id_prefix"]!.GetValue<string>(), Id(posts[i]), StringComparison.Ordinal);
            Assert.Equal(vectors[i]!["tag_event"]?.GetValue<string>(), tracked.GetValueOrDefault(Id(posts[i])));
        }
    }

    [BrowserFact]
    public async Task A_shopper_from_a_Pin_who_subscribes_and_enters_payment_reaches_Pinterest_as_lead_and_add_payment_info_with_the_click_id()
    {
        var pinterest = await FakePinterest.StartAsync();
        _running.Add(pinterest);
        _settings["Pinterest:BaseUrl"] = pinterest.BaseUrl.ToString();
        _running.Add(await TestHost.StartAsync(_settings, b => b.AddEnricher()));
        _running.Add(await TestHost.StartAsync(_settings, b => b.AddDispatcher()));
        var landing = Fixture("page_viewed");
        var context = await NewContextAsync();
        await context.AddInitScriptAsync($"window.__clientId = {System.Text.Json.JsonSerializer.Serialize(landing["clientId"]!.GetValue<string>())};");
        // A first visit: no cart yet, so the lead finds its session by the visitor's clientId.
        var page = await OpenAsync(Init(cart: null, AllAllowed), context);

        await PublishAsync(page, landing);
        await page.FillAsync("#NewsletterForm--footer", "  Zoe.Angstrom@Example.NET ");
        await page.ClickAsync("#Subscribe");
        await PublishAsync(page, Fixture("checkout_started"));
        await PublishAsync(page, Fixture("payment_info_submitted"));
        var posts = await PostsAsync(page, 4);
        var lead = Id(posts[1]);
        var paymentInfo = Id(posts[3]);
        Assert.Null(posts[1].Body["cart_token"]);

        await pinterest.WaitForAcceptedAsync(TestSettings.AdAccountId, [lead, paymentInfo], TimeSpan.FromSeconds(30));
        var sent = pinterest.Requests.SelectMany(r => r.Events).ToDictionary(e => e.GetProperty("event_id").GetString()!);
        var leadEvent = sent[lead];
        var paymentEvent = sent[paymentInfo];
        Assert.Equal("lead", leadEvent.GetProperty("event_name").GetString());
        Assert.Equal("add_payment_info", paymentEvent.GetProperty("event_name").GetString());
        Assert.All(new[] { leadEvent, paymentEvent }, e =>
        {
            Assert.Equal(Epik, e.GetProperty("user_data").GetProperty("click_id").GetString());
            Assert.Equal("127.0.0.1", e.GetProperty("user_data").GetProperty("client_ip_address").GetString());
        });
        // The form's e-mail, normalized and hashed like an order's: the same shopper to Pinterest.
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("zoe.angstrom@example.net"u8)),
            Assert.Single(leadEvent.GetProperty("user_data").GetProperty("em").EnumerateArray()).GetString());
        var subtotal = Fixture("payment_info_submitted")["data"]!["checkout"]!["subtotalPrice"]!["amount"]!.GetValue<decimal>();
        Assert.Equal(subtotal.ToString(System.Globalization.CultureInfo.InvariantCulture), paymentEvent.GetProperty("custom_data").GetProperty("value").GetString());
        Assert.Empty(pinterest.Violations);
    }

    private static List<(string Name, string Value)> Fields(Post post) =>
        [.. post.Body["event"]!["data"]!["element"]!["elements"]!.AsArray().Select(f => (f!["name"]!.GetValue<string>(), f["value"]!.GetValue<string>()))];
}
