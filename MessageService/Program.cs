var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMessageServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseRequestTimeouts();
app.MapDefaultEndpoints();
app.MapRoomsApi();
app.MapInternalRoomsApi();

app.Run();
