using System.Net;

namespace RealtimeAspire.MessageService.Rooms;

/// <summary>Resolves usernames through AuthService's internal endpoint.</summary>
public sealed class UserDirectory(HttpClient http)
{
    /// <summary>The user with this name, or null when there is none.</summary>
    public async Task<UserByName?> FindByNameAsync(string username, CancellationToken cancellationToken)
    {
        if (!Usernames.IsValid(username))
        {
            return null;
        }

        using var response = await http.GetAsync(InternalApi.UserByNamePath(username), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync(InternalApiJsonContext.Default.UserByName, cancellationToken);
    }
}
