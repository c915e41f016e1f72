#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
#:project ../../src/ServiceDefaults/ServiceDefaults.csproj
// Second baseline of scripts/bench/ingest.sh, "raw Kafka pass-through": the body-only endpoint that also
// writes the body as it came to the same embedded broker Ingest uses, with Ingest's producer settings
// (idempotent, acks=all, linger 5 ms, lz4), and answers 200 after the acknowledgement. No verification,
// no Avro, no checks: the floor of HTTP plus Kafka on this machine, which Ingest cannot beat.
// Usage: dotnet run -c Release scripts/bench/body-kafka.cs -- --urls http://127.0.0.1:18081
using Confluent.Kafka;
using Streaming.Development.Kafka;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = builder.Build();

using var cluster = new EmbeddedKafkaCluster();
cluster.CreateTopic("bench", 6);
using var producer = new ProducerBuilder<byte[]?, byte[]>(new ProducerConfig
{
    BootstrapServers = cluster.BootstrapServers,
    EnableIdempotence = true,
    Acks = Acks.All,
    LingerMs = 5,
    CompressionType = CompressionType.Lz4,
}).Build();

app.MapPost("/webhooks/shopify", WriteBodyAsync);
app.MapPost("/collect", WriteBodyAsync);
app.Run();

async Task<IResult> WriteBodyAsync(HttpRequest request, CancellationToken cancellationToken)
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body, cancellationToken);
    var key = request.Headers["X-Shopify-Webhook-Id"].ToString();
    await producer.ProduceAsync("bench", new Message<byte[]?, byte[]> { Key = System.Text.Encoding.UTF8.GetBytes(key), Value = body.ToArray() }, cancellationToken);
    return Results.Ok();
}
