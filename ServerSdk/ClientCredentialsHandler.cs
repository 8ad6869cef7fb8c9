using System.Net;
using System.Net.Http.Headers;

namespace RealtimeAspire.Server;

/// <summary>
/// Puts the client's access token on every server-API call, and fetches a new one once when the API answers 401
/// (the token was revoked or the client's secret rotated).
/// </summary>
internal sealed class ClientCredentialsHandler(ClientCredentialsTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(stale: null, cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !CanResend(request))
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(stale: token, cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }

    // Only a buffered body can be sent twice (RealtimeServerClient buffers every body).
    private static bool CanResend(HttpRequestMessage request) => request.Content is null or ByteArrayContent;
}
