using Microsoft.Extensions.Diagnostics.HealthChecks;
using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Ingest;
using Streaming.Operator;

// All four services in one process. `dotnet run` starts it in Development, where
// appsettings.Development.json adds a demo shop and a demo operator token; elsewhere configure the shops
// yourself, and the operator view stays closed until Operator:Token is set.
var builder = WebApplication.CreateBuilder(args);
builder.AddIngest();
builder.AddEnricher();
builder.AddDispatcher();
// Ingest shares the process: a view still rebuilding must not take webhooks off the load balancer.
builder.AddOperator(whileRebuilding: HealthStatus.Degraded);

var app = builder.Build();
app.MapIngest();
app.MapOperator();
app.Run();
