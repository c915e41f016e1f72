using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Streaming.Pixel.Tests;

/// <summary>
/// A storefront page on its own origin (http://localhost:port, as a shop's site is to Ingest): it loads the
/// Web Pixels API stand-in, then the pixel as Ingest serves it, from Ingest; its body holds a theme's forms.
/// </summary>
public sealed class StorefrontPage : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StorefrontPage(WebApplication app) => _app = app;

    public Uri Origin => new($"http://localhost:{TestHost.ListeningAddress(_app).Port}");

    public static async Task<StorefrontPage> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var harness = Path.Combine(AppContext.BaseDirectory, "Harness", "web-pixels-api.js");
        var forms = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Harness", "theme-forms.html"));
        app.MapGet("/web-pixels-api.js", () => Results.File(harness, "text/javascript"));
        app.MapGet("/", (string pixel) => Results.Content(
            $"""
            <!doctype html>
            <html><head><meta charset="utf-8"><title>Storefront</title>
            <script src="/web-pixels-api.js"></script>
            <script src="{WebUtility.HtmlEncode(pixel)}"></script>
            </head><body><h1>Storefront</h1>{forms}</body></html>
            """,
            "text/html; charset=utf-8"));
        await app.StartAsync();
        return new StorefrontPage(app);
    }

    /// <summary>The page, loading the pixel from <paramref name="pixelScript"/>.</summary>
    public string Url(Uri pixelScript) => new Uri(Origin, $"/?pixel={Uri.EscapeDataString(pixelScript.ToString())}").ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
