using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Streaming.TestSupport;

/// <summary>
/// A Confluent Schema Registry on real Kestrel at 127.0.0.1, answering the REST calls Confluent's
/// <c>CachedSchemaRegistryClient</c> makes (a schema by id, register, look up), with the in-memory
/// registry's ids, so records written with <see cref="TestRecords.Serdes"/> decode through it. It can be
/// made unreachable: every connection is then reset, as a registry that is down would.
/// </summary>
public sealed class SchemaRegistryStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InMemorySchemaRegistry _schemas = new();
    private readonly ConcurrentQueue<string> _refused = new();
    private volatile bool _reachable = true;

    private SchemaRegistryStandIn(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests refused while unreachable (method and path).</summary>
    public IReadOnlyList<string> Refused => [.. _refused];

    /// <summary>Subjects whose latest version the compatibility endpoint calls incompatible with any schema asked about.</summary>
    public ConcurrentDictionary<string, bool> IncompatibleSubjects { get; } = new(StringComparer.Ordinal);

    public bool Reachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    public static async Task<SchemaRegistryStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var standIn = new SchemaRegistryStandIn(app);
        app.Use(async (context, next) =>
        {
            if (!standIn._reachable)
            {
                standIn._refused.Enqueue($"{context.Request.Method} {context.Request.Path}");
                context.Abort();
                return;
            }

            await next(context);
        });
        app.MapGet("/schemas/ids/{id:int}", standIn.SchemaByIdAsync);
        app.MapPost("/subjects/{subject}/versions", standIn.RegisterAsync);
        app.MapPost("/subjects/{subject}", standIn.LookUpAsync);
        app.MapGet("/subjects", async () => Results.Json(await standIn._schemas.GetAllSubjectsAsync()));
        app.MapPost("/compatibility/subjects/{subject}/versions/latest", standIn.CompatibleAsync);
        await app.StartAsync();
        standIn.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return standIn;
    }

    private async Task<IResult> SchemaByIdAsync(int id) =>
        await Answer(async () => new JsonObject { ["schema"] = (await _schemas.GetSchemaAsync(id)).SchemaString });

    private async Task<IResult> RegisterAsync(string subject, HttpRequest request) =>
        await Answer(async () => new JsonObject { ["id"] = await _schemas.RegisterSchemaAsync(subject, await SchemaOfAsync(request)) });

    private async Task<IResult> LookUpAsync(string subject, HttpRequest request) =>
        await Answer(async () =>
        {
            var found = await _schemas.LookupSchemaAsync(subject, await SchemaOfAsync(request), ignoreDeletedSchemas: false);
            return new JsonObject { ["subject"] = subject, ["version"] = found.Version, ["id"] = found.Id, ["schema"] = found.SchemaString };
        });

    private async Task<IResult> CompatibleAsync(string subject, HttpRequest request) =>
        await Answer(async () =>
        {
            _ = await _schemas.GetLatestSchemaAsync(subject);
            _ = await SchemaOfAsync(request);
            return new JsonObject { ["is_compatible"] = !IncompatibleSubjects.ContainsKey(subject) };
        });

    private static async Task<Schema> SchemaOfAsync(HttpRequest request)
    {
        var body = await JsonNode.ParseAsync(request.Body) ?? throw new InvalidDataException("No body.");
        return new Schema(body["schema"]!.GetValue<string>(), SchemaType.Avro);
    }

    private static async Task<IResult> Answer(Func<Task<JsonObject>> answer)
    {
        try
        {
            return Results.Content((await answer()).ToJsonString(), "application/vnd.schemaregistry.v1+json");
        }
        catch (SchemaRegistryException e)
        {
            var status = e.Status == HttpStatusCode.NotFound ? 404 : 422;
            return Results.Content(
                JsonSerializer.Serialize(new { error_code = e.ErrorCode, message = e.Message }), "application/vnd.schemaregistry.v1+json", statusCode: status);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
