using Streaming.Operator;
using Streaming.ServiceDefaults;

// Internal only: the page shows per-order data and Pinterest's messages, so it is kept off the service
// that faces Shopify and shoppers. Set the address with Urls, for example --Urls=http://0.0.0.0:8080.
var builder = WebApplication.CreateBuilder(args);
builder.AddOperator();

var app = builder.Build();
app.MapOperator();
app.MapHealthEndpoints();
app.Run();
