using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace RealtimeAspire.AuthService;

/// <summary>
/// A request of <c>POST /api/auth/token</c>: a user's login (v1 JSON <c>{username, password}</c>) or a client-credentials
/// grant (RFC 6749 §4.4), form-encoded as the RFC says or JSON, the client's credentials in the body or in HTTP Basic.
/// </summary>
public sealed record TokenRequest(
    string? Username = null,
    string? Password = null,
    [property: JsonPropertyName("grant_type")] string? GrantType = null,
    [property: JsonPropertyName("client_id")] string? ClientId = null,
    [property: JsonPropertyName("client_secret")] string? ClientSecret = null,
    string? Scope = null)
{
    public const string ClientCredentialsGrant = "client_credentials";
    public const string PasswordGrant = "password";
    public const string FormContentType = "application/x-www-form-urlencoded";

    /// <summary>Both bodies bind here, so one endpoint serves both; a JSON body fails exactly as a bound JSON parameter would.</summary>
    public static async ValueTask<TokenRequest?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        TokenRequest? body;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new BadHttpRequestException("The form body is malformed.", StatusCodes.Status400BadRequest, e);
            }

            body = FromForm(form);
        }
        else if (request.HasJsonContentType())
        {
            if (request.ContentLength == 0)
            {
                return null;
            }

            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            try
            {
                body = await request.ReadFromJsonAsync<TokenRequest>(options, context.RequestAborted);
            }
            catch (JsonException e)
            {
                throw new BadHttpRequestException("The body is not a token request.", StatusCodes.Status400BadRequest, e);
            }
        }
        else
        {
            throw new BadHttpRequestException("The body must be JSON or form-encoded.", StatusCodes.Status415UnsupportedMediaType);
        }

        return body?.WithBasicCredentials(request.Headers.Authorization);
    }

    public static TokenRequest FromForm(IFormCollection form) => new(
        Value(form, "username"), Value(form, "password"), Value(form, "grant_type"), Value(form, "client_id"),
        Value(form, "client_secret"), Value(form, "scope"));

    /// <summary>RFC 6749 §2.3.1: the client's id and secret in HTTP Basic, each form-encoded before base64; the body's win.</summary>
    public TokenRequest WithBasicCredentials(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return this;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return this;
        }

        var colon = decoded.IndexOf(':');
        if (colon < 0)
        {
            return this;
        }

        return this with
        {
            ClientId = ClientId ?? Uri.UnescapeDataString(decoded[..colon].Replace('+', ' ')),
            ClientSecret = ClientSecret ?? Uri.UnescapeDataString(decoded[(colon + 1)..].Replace('+', ' ')),
        };
    }

    private static string? Value(IFormCollection form, string name) => form.TryGetValue(name, out var values) ? values.ToString() : null;
}
