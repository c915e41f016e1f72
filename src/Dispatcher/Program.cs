using Streaming.Dispatcher;
using Streaming.ServiceDefaults;

// A worker with an HTTP port for its probes: /healthz, and /readyz with the state of Kafka and of each
// shop (paused for a refused token). Set the address with Urls, for example --Urls=http://0.0.0.0:8080.
var builder = WebApplication.CreateBuilder(args);
builder.AddDispatcher();

var app = builder.Build();
app.MapHealthEndpoints();
app.Run();
