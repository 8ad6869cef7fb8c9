using OrderUpdates;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOrderUpdatesServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapOrdersApi();
app.MapRealtimeWebhooksApi();

app.Run();
