namespace RealtimeAspire.AppHost;

public static class AuthServiceCommands
{
    public const string RotateSigningKey = "rotate-signing-key";

    /// <summary>
    /// A dashboard command (also run by tests through ResourceCommands) that rotates AuthService's signing key
    /// with POST /internal/keys/rotate, presenting the operator key.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSigningKeyRotationCommand(
        this IResourceBuilder<ProjectResource> authService, IResourceBuilder<ParameterResource> operatorKey) =>
        authService.WithHttpCommand("/internal/keys/rotate", "Rotate signing key", commandName: RotateSigningKey,
            commandOptions: new HttpCommandOptions
            {
                Method = HttpMethod.Post,
                Description = "A new key signs from now on; the old one stays in the JWKS until its tokens have expired.",
                ConfirmationMessage = "Rotate AuthService's signing key?",
                IconName = "KeyReset",
                PrepareRequest = async context =>
                {
                    var key = await operatorKey.Resource.GetValueAsync(context.CancellationToken);
                    context.Request.Headers.Add(RealtimeAspire.Contracts.InternalApi.OperatorKeyHeader, key);
                },
            });
}
