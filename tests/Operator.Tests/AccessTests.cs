using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Streaming.Operator.Tests;

/// <summary>Who gets in: the token as bearer or as basic-auth password, nobody else, and nobody at all without a token configured.</summary>
[Collection(OnKafka.Name)]
public sealed class AccessTests(OperatorFixture rig)
{
    public static TheoryData<string, string, string?, HttpStatusCode> Requests() => new()
    {
        { "no credentials", "/operator", null, HttpStatusCode.Unauthorized },
        { "the token as bearer", "/operator", $"Bearer {OperatorFixture.Token}", HttpStatusCode.OK },
        { "another bearer token", "/operator", "Bearer operator-test-token-1f0c9a7f", HttpStatusCode.Unauthorized },
        { "a bearer scheme without a token", "/operator", "Bearer", HttpStatusCode.Unauthorized },
        { "the token as basic-auth password", "/operator", Basic(OperatorFixture.UserName, OperatorFixture.Token), HttpStatusCode.OK },
        { "a wrong password", "/operator", Basic(OperatorFixture.UserName, "not-the-token-at-all"), HttpStatusCode.Unauthorized },
        { "another user name", "/operator", Basic("admin", OperatorFixture.Token), HttpStatusCode.Unauthorized },
        { "the token as user name", "/operator", Basic(OperatorFixture.Token, ""), HttpStatusCode.Unauthorized },
        { "basic auth that is not base64", "/operator", "Basic %%%", HttpStatusCode.Unauthorized },
        { "another scheme", "/operator", $"Token {OperatorFixture.Token}", HttpStatusCode.Unauthorized },
        { "a shop page without credentials", $"/operator/shops/{Showcase.Shop}", null, HttpStatusCode.Unauthorized },
        { "an unknown shop, before anything is said about it", "/operator/shops/nobody.myshopify.com", null, HttpStatusCode.Unauthorized },
        { "an unknown shop", "/operator/shops/nobody.myshopify.com", $"Bearer {OperatorFixture.Token}", HttpStatusCode.NotFound },
        { "a shop that only has records, no configuration", $"/operator/shops/{OperatorFixture.StrangerShop}", $"Bearer {OperatorFixture.Token}", HttpStatusCode.NotFound },
        { "a window that does not exist", $"/operator/shops/{Showcase.Shop}?window=30d", $"Bearer {OperatorFixture.Token}", HttpStatusCode.BadRequest },
        { "a window on the overview that does not exist", "/operator?window=week", $"Bearer {OperatorFixture.Token}", HttpStatusCode.BadRequest },
        { "the probes, which need none", "/readyz", null, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Only_the_operator_token_opens_the_page(string who, string path, string? authorization, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = rig.Host.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);

        Assert.True(expected == response.StatusCode, $"{who}: expected {expected}, got {response.StatusCode}.");
        if (expected == HttpStatusCode.Unauthorized)
        {
            // Both challenges: a browser asks for basic auth, a script knows a bearer token is wanted.
            var challenges = response.Headers.WwwAuthenticate.Select(c => c.Scheme).ToList();
            Assert.Equal(["Basic", "Bearer"], challenges);
            Assert.Contains("Operator view", response.Headers.WwwAuthenticate.First().Parameter, StringComparison.Ordinal);
            Assert.DoesNotContain(Showcase.Shop, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_message_that_names_the_problem()
    {
        using var http = OperatorFixture.Client(rig.Host);

        var window = await http.GetStringAsyncOrError($"/operator/shops/{Showcase.Shop}?window=30d");
        var shop = await http.GetStringAsyncOrError("/operator/shops/nobody.myshopify.com");

        Assert.Equal("window must be one of 1h, 24h, 7d, not '30d'.\n", window);
        Assert.StartsWith("No shop 'nobody.myshopify.com' is configured; the configured shops are: ", shop, StringComparison.Ordinal);
        Assert.Contains(Showcase.Shop, shop, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_configured_the_page_is_closed_to_everyone()
    {
        await using var closed = await rig.StartOperatorAsync(token: null);
        using var http = new HttpClient { BaseAddress = closed.BaseUrl };

        foreach (var authorization in new[] { null, "Bearer ", $"Bearer {OperatorFixture.Token}", Basic(OperatorFixture.UserName, "") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/operator");
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("The operator view is closed: no Operator:Token is configured.\n", await response.Content.ReadAsStringAsync());
        }

        Assert.Contains(closed.Logs.Lines, l => l.Message.StartsWith("The operator view is closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_too_short_to_be_safe_stops_the_start_and_names_the_setting()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => rig.StartOperatorAsync(token: "operator"));

        Assert.Contains("Operator:Token must be at least 16 characters, not 8", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_of_a_shop_that_is_not_configured_are_counted_nowhere_but_said_to_be_left_out()
    {
        using var http = OperatorFixture.Client(rig.Host);

        var overview = PageFigures.Read(await http.GetStringAsync("/operator?window=7d"));

        Assert.Equal(1, overview["unattributed"]);
        Assert.DoesNotContain(overview.Keys, k => k.Contains(OperatorFixture.StrangerShop, StringComparison.Ordinal));
        Assert.Equal(OperatorFixture.Shops.Count + 1, overview.Keys.Count(k => k.EndsWith("/received", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_page_is_never_cached_framed_or_given_a_script_to_run()
    {
        using var http = OperatorFixture.Client(rig.Host);

        using var page = await http.GetAsync($"/operator/shops/{Showcase.Shop}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.True(page.Headers.CacheControl?.NoStore);
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/operator/shops/nobody.myshopify.com", HttpStatusCode.NotFound)]
    [InlineData("/operator?window=week", HttpStatusCode.BadRequest)]
    public async Task A_refusal_past_the_token_is_never_cached_either(string path, HttpStatusCode status)
    {
        using var http = OperatorFixture.Client(rig.Host);

        // It names the configured shops or repeats the query: no more cacheable than a page.
        using var answer = await http.GetAsync(path);

        Assert.Equal(status, answer.StatusCode);
        Assert.True(answer.Headers.CacheControl?.NoStore);
        Assert.Equal("nosniff", answer.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task The_page_shows_reasons_and_sources_of_dead_letters_and_never_their_bodies_or_a_shoppers_address()
    {
        using var http = OperatorFixture.Client(rig.Host);

        var page = await http.GetStringAsync($"/operator/shops/{FigureCases.LeftOutShop}");

        Assert.Equal(4, CountOf(page, "data-dead-letter="));
        Assert.Equal(4, CountOf(page, "data-delivery="));
        Assert.Contains("The order&#x27;s id is not a whole number: &#x27;abc&#x27;", page, StringComparison.Ordinal);
        Assert.Contains("shopify.webhooks [2] @", page, StringComparison.Ordinal);
        Assert.Contains("Invalid client_ip_address [redacted] for [redacted]", page, StringComparison.Ordinal);
        foreach (var secret in new[] { "ada.lovelace", "203.0.113.9", "4915112345678", "5820391846711" })
        {
            Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        }
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    private static string Basic(string user, string password) =>
        new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"))).ToString();
}

internal static class HttpClientExtensions
{
    /// <summary>The body, whatever the status.</summary>
    public static async Task<string> GetStringAsyncOrError(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return await response.Content.ReadAsStringAsync();
    }
}
