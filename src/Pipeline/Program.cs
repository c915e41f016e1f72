using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Ingest;

// All three services in one process. `dotnet run` starts it in Development, where
// appsettings.Development.json adds a demo shop; elsewhere configure the shops yourself.
var builder = WebApplication.CreateBuilder(args);
builder.AddIngest();
builder.AddEnricher();
builder.AddDispatcher();

var app = builder.Build();
app.MapIngest();
app.Run();
