using Streaming.Dispatcher;

var builder = Host.CreateApplicationBuilder(args);
builder.AddDispatcher();
builder.Build().Run();
