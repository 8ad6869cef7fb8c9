var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMessageServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapRoomsApi();
app.MapInternalRoomsApi();

app.Run();
