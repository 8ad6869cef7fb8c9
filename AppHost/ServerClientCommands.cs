using System.Net.Http.Json;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.AppHost;

/// <summary>
/// The operator's server clients from the dashboard (also run by tests through ResourceCommands): create one (its secret
/// is shown once, in the command's result) and revoke one, through AuthService's /internal/clients with the operator key.
/// </summary>
public static class ServerClientCommands
{
    public const string Create = "create-server-client";
    public const string Revoke = "revoke-server-client";
    public const string NameArgument = "name";
    public const string ScopesArgument = "scopes";
    public const string ClientIdArgument = "clientId";

    public static IResourceBuilder<ProjectResource> WithServerClientCommands(
        this IResourceBuilder<ProjectResource> authService, IResourceBuilder<ParameterResource> operatorKey) =>
        authService
            .WithHttpCommand("/internal/clients", "Create server client", commandName: Create,
                commandOptions: new HttpCommandOptions
                {
                    Method = HttpMethod.Post,
                    Description = "A new client for an application backend; copy its secret from the result, it is shown only once.",
                    IconName = "PersonKey",
                    Arguments =
                    [
                        new() { Name = NameArgument, Label = "Name", InputType = InputType.Text, Required = true },
                        new()
                        {
                            Name = ScopesArgument, Label = "Scopes (space-separated)", InputType = InputType.Text, Required = true,
                            Value = string.Join(' ', ServerScopes.All),
                        },
                    ],
                    PrepareRequest = async context =>
                    {
                        await AddOperatorKeyAsync(context.Request, operatorKey, context.CancellationToken);
                        context.Request.Content = JsonContent.Create(new
                        {
                            name = context.Arguments.GetString(NameArgument),
                            scopes = context.Arguments.GetString(ScopesArgument),
                        });
                    },
                    GetCommandResult = async context =>
                    {
                        var body = await context.Response.Content.ReadAsStringAsync(context.CancellationToken);
                        return context.Response.IsSuccessStatusCode
                            ? CommandResults.Success("Server client created: copy its secret now, it is not shown again.", body, CommandResultFormat.Json)
                            : CommandResults.Failure($"AuthService answered {(int)context.Response.StatusCode}.", body, CommandResultFormat.Json);
                    },
                })
            .WithHttpCommand("/internal/clients", "Revoke server client", commandName: Revoke,
                commandOptions: new HttpCommandOptions
                {
                    Method = HttpMethod.Post,
                    Description = "No new tokens for the client, and the ones it holds are refused everywhere within seconds.",
                    ConfirmationMessage = "Revoke this server client? Its backend loses access at once.",
                    IconName = "PersonProhibited",
                    Arguments = [new() { Name = ClientIdArgument, Label = "Client id", InputType = InputType.Text, Required = true }],
                    PrepareRequest = async context =>
                    {
                        await AddOperatorKeyAsync(context.Request, operatorKey, context.CancellationToken);
                        var clientId = Uri.EscapeDataString(context.Arguments.GetString(ClientIdArgument) ?? "");
                        context.Request.RequestUri = new Uri(context.Request.RequestUri!, $"/internal/clients/{clientId}/revoke");
                    },
                })
            // The server API's scope checks in AuthService validate tokens like every service, against its own JWKS.
            .WithEnvironment(context => context.EnvironmentVariables["Auth__JwksUri"] =
                ReferenceExpression.Create($"{authService.GetEndpoint("http")}/api/auth/.well-known/jwks.json"));

    private static async Task AddOperatorKeyAsync(HttpRequestMessage request, IResourceBuilder<ParameterResource> operatorKey, CancellationToken cancellationToken) =>
        request.Headers.Add(InternalApi.OperatorKeyHeader, await operatorKey.Resource.GetValueAsync(cancellationToken));
}
