using RealtimeAspire.Tests.Infrastructure;

namespace RealtimeAspire.Tests.Data;

/// <summary>
/// The whole system with its publish hook (protocol.md §6) pointed at a <see cref="PublishHookReceiver"/> in the test
/// process, started before the AppHost so every replica has its address from the start. Fail-open (the default).
/// </summary>
public class PublishHookAppFixture : RealtimeAppFixture, IAsyncLifetime
{
    /// <summary>Long enough for a loaded machine's answer; the receiver's <c>slow</c> never answers at all.</summary>
    public const int HookTimeoutMs = 5_000;

    public PublishHookReceiver Receiver { get; } = new();

    protected virtual string OnFailure => "accept";

    protected override IEnumerable<string> Settings =>
    [
        $"--ServerApi:PublishHook:Url={Receiver.Url}",
        $"--ServerApi:PublishHook:TimeoutMs={HookTimeoutMs}",
        $"--ServerApi:PublishHook:OnFailure={OnFailure}",
        $"--ServerApi:PublishHook:Secret={PublishHookReceiver.Secret}",
    ];

    async Task IAsyncLifetime.InitializeAsync()
    {
        await Receiver.StartAsync();
        await InitializeAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>The same, fail-closed: a hook that times out or fails refuses the message with <c>unavailable</c>.</summary>
public sealed class FailClosedPublishHookAppFixture : PublishHookAppFixture
{
    protected override string OnFailure => "reject";
}

[CollectionDefinition(Name)]
public sealed class PublishHookAppCollection : ICollectionFixture<PublishHookAppFixture>
{
    public const string Name = "realtime-app-publish-hook";
}

[CollectionDefinition(Name)]
public sealed class FailClosedPublishHookAppCollection : ICollectionFixture<FailClosedPublishHookAppFixture>
{
    public const string Name = "realtime-app-publish-hook-fail-closed";
}
