using Streaming.Dispatcher;
using Streaming.Enricher;
using Streaming.Ingest;

// All three services in one process: for a first run, a demo, or a small shop.
var builder = WebApplication.CreateBuilder(args);
builder.AddIngest();
builder.AddEnricher();
builder.AddDispatcher();

var app = builder.Build();
app.MapIngest();
app.Run();
