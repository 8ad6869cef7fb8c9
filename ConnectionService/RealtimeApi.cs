namespace RealtimeAspire.ConnectionService;

public static class RealtimeApi
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
