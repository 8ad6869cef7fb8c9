namespace RealtimeAspire.Server;

/// <summary>Where the server API is and which client calls it (configuration section <see cref="SectionName"/>).</summary>
public sealed class RealtimeServerOptions
{
    /// <summary>The default configuration section.</summary>
    public const string SectionName = "RealtimeServer";

    /// <summary>The Gateway's address. In an Aspire app that references the gateway, <c>http://gateway</c> resolves through service discovery.</summary>
    public Uri BaseAddress { get; set; } = new("http://gateway");

    /// <summary>The client id an operator created (protocol.md §6).</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client's secret, shown once when it was created.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The scopes to ask for; empty asks for every scope the client was granted.</summary>
    public IList<string> Scopes { get; set; } = [];

    /// <summary>How long before a token's expiry a new one is fetched.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(30);
}
