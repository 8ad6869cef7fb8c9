
namespace RealtimeAspire.Gateway;

/// <summary>Serves the chat page (wwwroot) at <c>/</c>, with headers that keep it from being framed or fed foreign scripts.</summary>
public static class ChatPage
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseChatPage(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                // A changed page must reach the browser at once; the files are small.
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
