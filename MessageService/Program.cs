using RealtimeAspire.MessageService.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMessageServices();

var app = builder.Build();

app.MapDefaultEndpoints();
// Inside the exception handler of MapDefaultEndpoints, which would otherwise take a timed-out read for a client gone (499).
app.UseRequestTimeouts();
app.MapRoomsApi();
app.MapServerRoomsApi();
app.MapInternalRoomsApi();
app.MapWebhooksApi();
app.MapMyRoomsApi();
app.MapInternalMyRoomsApi();

app.Run();
