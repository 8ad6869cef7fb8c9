var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuthServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAuthApi();
app.MapAuthInternalApi();
app.MapClientsInternalApi();
app.MapServerUsersApi();

app.Run();
