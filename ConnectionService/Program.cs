var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddConnectionServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRealtimeApi();

app.Run();
