using System.Text.Json;
using System.Text.Json.Serialization;

namespace RealtimeAspire.Contracts;

#pragma warning disable CS1591 // the fields are the protocol's (protocol.md §6, "Publish hook")

/// <summary>
/// What a replica POSTs to the operator's publish hook before it accepts a user's message (protocol.md §6), signed
/// like a webhook. <see cref="Content"/> and <see cref="Data"/> are written as <c>null</c> when the message lacks them.
/// </summary>
public sealed record PublishHookRequest(string Room, string UserId, string Username, string? Content, JsonElement? Data);

/// <summary>The hook's answer: <c>accept</c>, <c>reject</c> with a <see cref="Reason"/>, or <c>replace</c> with the message's new fields.</summary>
public sealed record PublishHookAnswer(string? Action, string? Reason = null, string? Content = null, JsonElement? Data = null);

/// <summary>The actions of <see cref="PublishHookAnswer.Action"/>.</summary>
public static class PublishHookActions
{
    public const string Accept = "accept";
    public const string Reject = "reject";
    public const string Replace = "replace";
}

/// <summary>The hook's JSON, camelCase as every frame, with absent fields written as null so a hook sees every key.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PublishHookRequest))]
[JsonSerializable(typeof(PublishHookAnswer))]
public sealed partial class PublishHookJsonContext : JsonSerializerContext;
