using Xunit.Abstractions;
using Xunit.Sdk;

namespace Streaming.EndToEnd.Tests;

/// <summary>
/// Conformance with payloads written by others: Shopify's webhook reference samples and the shopify_python_api
/// fixtures in the shared samples folder (see SOURCES.md there). The folder is not part of the repository, so
/// without it these tests are reported as skipped, with the reason. Same pipeline as the tests on the repository's
/// own fixtures (this is the other half of that class).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "xUnit1033", Justification = "The fixture is there for its message, not for data.")]
public sealed partial class WebhookToPinterestTests : IClassFixture<SharedSamplesNotice>
{
    private const string PythonApiFixtureOrder = "orders-create-shopify-python-api-fixture-order-450789469.json";

    [SharedSamplesFact]
    public async Task Conformance_every_shared_order_cart_and_checkout_sample_is_accepted_by_Ingest()
    {
        var ingest = await StartPipelineAsync(ingestOnly: true);
        var deliveries = SharedSamples.FileNames()
            .Select(name => (Name: name, Topic: WebhookTopic(name)))
            .Where(file => file.Topic is not null)
            .SelectMany(file => SharedSamples.Bodies(file.Name).Select(body => (file.Name, file.Topic!, body)))
            .ToList();

        Assert.NotEmpty(deliveries);
        Assert.Empty(await DeliverAsync(ingest, deliveries));
    }

    [SharedSamplesFact]
    public async Task Conformance_the_python_API_fixture_order_reaches_Pinterest_as_one_checkout_event()
    {
        var ingest = await StartPipelineAsync();
        var order = Assert.Single(SharedSamples.Bodies(PythonApiFixtureOrder));

        using var response = await _rig.Http.SendAsync(ShopifySamples.SignedWebhook(ingest, order, TestSettings.Secret, TestSettings.Shop));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(await _rig.Pinterest.WaitForAsync(1, Patience));
        AssertCheckoutEvent(
            Assert.Single(request.Events),
            orderId: "450789469",
            createdAt: "2008-01-10T11:00:00-05:00",
            email: "bob.norman@hostmail.com",
            value: "398.00",
            currency: "USD");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1, _rig.Pinterest.Calls);
    }

    /// <summary>
    /// The topic a sample file stands for, from its name: <c>orders-create-…</c> is orders/create, <c>carts-update-…</c>
    /// carts/update; a resource list without a topic in its name (<c>checkouts-shopify-…</c>) counts as a create.
    /// Null for what is no webhook (web pixel events).
    /// </summary>
    private static string? WebhookTopic(string fileName)
    {
        var parts = fileName.Split('-');
        if (parts[0] is not ("orders" or "carts" or "checkouts"))
        {
            return null;
        }

        return parts.Length > 2 && parts[1] is "create" or "update" or "updated" or "paid" or "cancelled"
            ? $"{parts[0]}/{parts[1]}"
            : $"{parts[0]}/create";
    }
}

/// <summary>
/// Says once per run, in the default console output too, why the conformance tests were skipped: the console
/// logger shows a skip's reason only at normal verbosity.
/// </summary>
public sealed class SharedSamplesNotice
{
    public SharedSamplesNotice(IMessageSink diagnostics)
    {
        if (!SharedSamples.Available)
        {
            diagnostics.OnMessage(new DiagnosticMessage(SharedSamples.SkipReason));
        }
    }
}
