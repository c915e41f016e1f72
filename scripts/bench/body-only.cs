#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
// Baseline of scripts/bench/ingest.sh: an ASP.NET Core endpoint that only reads the body and answers 200,
// on the same routes as Ingest. No verification, no Kafka, no JSON. Logging as the ASP.NET Core template
// and src/Ingest/appsettings.json have it: Information, with Microsoft.AspNetCore at Warning.
// PublishAot is off because Ingest is not AOT-compiled either: the baseline runs on the same JIT runtime.
// Usage: dotnet run -c Release scripts/bench/body-only.cs -- --urls http://127.0.0.1:18081
var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = builder.Build();
app.MapPost("/webhooks/shopify", ReadBodyAsync);
app.MapPost("/collect", ReadBodyAsync);
app.Run();

static async Task<IResult> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
{
    await request.Body.CopyToAsync(Stream.Null, cancellationToken);
    return Results.Ok();
}
