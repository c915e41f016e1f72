using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Streaming.Contracts;
using Streaming.Ingest.Requests;
using Streaming.Ingest.Shops;
using Streaming.ServiceDefaults.Shops;

namespace Streaming.Ingest.Storefront;

/// <summary>
/// <c>GET /pixel.js?shop=&lt;domain&gt;</c>: the storefront pixel (<c>src/Pixel/pixel.js</c>) with the shop's
/// settings filled in, ready to paste into Shopify's custom pixel. Cacheable, with an ETag of its text.
/// </summary>
public sealed class PixelScript(ShopDirectory<IngestShop> shops, IOptions<StorefrontOptions> options, PipelineTelemetry telemetry)
{
    public const string Resource = "pixel.js";
    private const string Placeholder = "__PIXEL_CONFIG__";

    private static readonly Lazy<string> Template = new(ReadTemplate);

    // Settings can change with a reload and the public address with the request: the text is made per
    // request (a few kilobytes), and the ETag says whether it changed.
    public IResult Serve(HttpContext context)
    {
        var query = context.Request.Query["shop"];
        if (query.Count != 1 || !shops.TryFind(query[0], out var shop))
        {
            telemetry.PixelScripts.Add(1, new("outcome", "rejected"), new("reason", Reasons.UnknownShop));
            return new Rejection(StatusCodes.Status404NotFound, Reasons.UnknownShop,
                "Name one configured shop by its myshopify.com domain: /pixel.js?shop=<shop>.myshopify.com.");
        }

        var script = Render(shop, CollectUrl(context.Request));
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(script)))[..32]}\"");
        var headers = context.Response.GetTypedHeaders();
        headers.ETag = etag;
        headers.CacheControl = new CacheControlHeaderValue { Public = true, MaxAge = TimeSpan.FromMinutes(5) };
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(e => e.Compare(etag, useStrongComparison: false) || e.Equals(EntityTagHeaderValue.Any)))
        {
            telemetry.PixelScripts.Add(1, new KeyValuePair<string, object?>("outcome", "not_modified"));
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        telemetry.PixelScripts.Add(1, new KeyValuePair<string, object?>("outcome", "served"));
        return Results.Text(script, "text/javascript; charset=utf-8");
    }

    /// <summary>The script for one shop, posting to <paramref name="collectUrl"/>.</summary>
    public static string Render(IngestShop shop, string collectUrl)
    {
        // JSON is a JavaScript expression; the serializer escapes what could end the script early.
        var config = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["collectUrl"] = collectUrl,
            ["shop"] = Shop.Normalize(shop.Domain),
            ["tagId"] = string.IsNullOrWhiteSpace(shop.Pinterest.TagId) ? null : shop.Pinterest.TagId,
            ["checkoutValue"] = shop.Events.CheckoutValue.ToString(),
        });
        return Template.Value.Replace(Placeholder, config, StringComparison.Ordinal);
    }

    private string CollectUrl(HttpRequest request) =>
        string.IsNullOrWhiteSpace(options.Value.PublicUrl)
            ? $"{request.Scheme}://{request.Host}/collect"
            : $"{options.Value.PublicUrl.TrimEnd('/')}/collect";

    private static string ReadTemplate()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded resource {Resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        return text.Contains(Placeholder, StringComparison.Ordinal)
            ? text
            : throw new InvalidOperationException($"{Resource} has no {Placeholder} to fill in.");
    }
}
