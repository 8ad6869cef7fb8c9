namespace RealtimeAspire.MessageService;

public static class RoomsApi
{
    public static RouteGroupBuilder MapRoomsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/rooms");
        return group;
    }
}
