using System.Text.Json;

namespace RealtimeAspire.Contracts.Frames;

/// <summary>
/// The <c>data</c> of a message (protocol.md §5): a JSON object carried as a <see cref="JsonElement"/>, which keeps
/// every value exactly as it was read (numbers keep their text) and serializes through the source-generated codec.
/// </summary>
public static class StructuredData
{
    /// <summary>The default bound of one message's data, serialized.</summary>
    public const int DefaultMaxBytes = 16 * 1024;

    /// <summary>Both absent, or the same JSON value (object key order aside).</summary>
    public static bool Same(JsonElement? a, JsonElement? b) =>
        a is null ? b is null : b is not null && JsonElement.DeepEquals(a.Value, b.Value);

    /// <summary>
    /// Why <paramref name="data"/> cannot be stored as sent, or null when it can: PostgreSQL's jsonb holds neither
    /// U+0000 nor a lone surrogate in a string, and no number beyond a double's range.
    /// </summary>
    public static string? Unstorable(JsonElement data)
    {
        try
        {
            return Check(data);
        }
        catch (InvalidOperationException)
        {
            // Reading a string (or a key) with a lone surrogate escape throws.
            return "\"data\" must not contain a lone surrogate.";
        }
    }

    private static string? Check(JsonElement data)
    {
        switch (data.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in data.EnumerateObject())
                {
                    if ((UnstorableText(property.Name) ?? Check(property.Value)) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in data.EnumerateArray())
                {
                    if (Check(item) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            case JsonValueKind.String:
                return UnstorableText(data.GetString()!);
            case JsonValueKind.Number:
                return data.TryGetDouble(out var number) && double.IsFinite(number) ? null : "\"data\" has a number out of range.";
            default:
                return null;
        }
    }

    private static string? UnstorableText(string text) =>
        text.Contains('\0') ? "\"data\" must not contain U+0000." : null;
}
