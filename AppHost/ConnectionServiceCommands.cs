namespace RealtimeAspire.AppHost;

public static class ConnectionServiceCommands
{
    public const string Drain = "drain";

    /// <summary>
    /// A dashboard command (also run by tests through ResourceCommands) that drains one replica with
    /// POST /internal/drain: the Gateway sends no new clients there and its clients reconnect elsewhere.
    /// The resource's Restart command brings the replica back.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDrainCommand(
        this IResourceBuilder<ProjectResource> replica, IResourceBuilder<ParameterResource> operatorKey) =>
        replica
            .WithEnvironment("Realtime__OperatorKey", operatorKey)
            .WithHttpCommand("/internal/drain", "Drain", commandName: Drain,
                commandOptions: new HttpCommandOptions
                {
                    Method = HttpMethod.Post,
                    Description = "Close this replica's connections with 1001 and take it out of the Gateway; Restart brings it back.",
                    ConfirmationMessage = "Drain this ConnectionService replica? Its clients reconnect to the others.",
                    IconName = "ArrowExit",
                    PrepareRequest = async context =>
                    {
                        var key = await operatorKey.Resource.GetValueAsync(context.CancellationToken);
                        context.Request.Headers.Add(RealtimeAspire.Contracts.InternalApi.OperatorKeyHeader, key);
                    },
                });
}
