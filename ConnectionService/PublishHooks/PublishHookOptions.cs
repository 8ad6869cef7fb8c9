namespace RealtimeAspire.ConnectionService.PublishHooks;

/// <summary>What a replica does when the hook does not answer in time or answers something unusable.</summary>
public enum PublishHookFailure
{
    /// <summary>Fail open: the message is accepted as sent.</summary>
    Accept,

    /// <summary>Fail closed: the sender gets <c>error</c> <c>unavailable</c>; nothing is stored or delivered.</summary>
    Reject,
}

/// <summary>The operator's publish hook (protocol.md §6), section <c>ServerApi:PublishHook</c>; no URL, no hook.</summary>
public sealed class PublishHookOptions
{
    public const string SectionName = "ServerApi:PublishHook";

    /// <summary>Where each user's message is POSTed before it is accepted; empty turns the hook off.</summary>
    public string? Url { get; set; }

    /// <summary>How long a message waits for the hook's answer.</summary>
    public int TimeoutMs { get; set; } = 1_000;

    public PublishHookFailure OnFailure { get; set; } = PublishHookFailure.Accept;

    /// <summary>The Standard Webhooks signing secret (<c>whsec_</c> + base64); without one the requests go unsigned.</summary>
    public string? Secret { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Url);
}
