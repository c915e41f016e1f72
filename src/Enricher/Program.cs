using Streaming.Enricher;

var builder = Host.CreateApplicationBuilder(args);
builder.AddEnricher();
builder.Build().Run();
