using RealtimeAspire.ConnectionService.Hubs;
using RealtimeAspire.ConnectionService.Server;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddConnectionServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRealtimeApi();
// The same rooms over SignalR; the hub authenticates the connection itself (JWT, access_token for /hub).
app.MapRealtimeHub();
app.MapOperatorApi();
app.MapServerMessagesApi();
app.MapServerEventsApi();

app.Run();
