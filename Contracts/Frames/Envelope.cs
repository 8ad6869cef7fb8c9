using System.Text;

namespace RealtimeAspire.Contracts.Frames;

/// <summary>
/// The pub/sub envelope <c>&lt;traceparent&gt;\n&lt;JSON&gt;</c>: the W3C trace context of the publisher (may be
/// empty), so subscribers continue its trace, then the frame or order. The append script writes the same shape in Lua.
/// </summary>
public static class Envelope
{
    /// <summary>Between the traceparent and the JSON.</summary>
    public const char Separator = '\n';

    /// <summary>The envelope of <paramref name="json"/>, as UTF-8.</summary>
    public static byte[] Encode(string? traceParent, ReadOnlySpan<byte> json)
    {
        var head = Encoding.ASCII.GetByteCount(traceParent ?? "");
        var payload = new byte[head + 1 + json.Length];
        Encoding.ASCII.GetBytes(traceParent ?? "", payload);
        payload[head] = (byte)Separator;
        json.CopyTo(payload.AsSpan(head + 1));
        return payload;
    }

    /// <summary>The envelope of <paramref name="json"/>, as a string.</summary>
    public static string Encode(string? traceParent, string json) => $"{traceParent}{Separator}{json}";

    /// <summary>The traceparent ("" when none) and the JSON, which shares <paramref name="payload"/>'s memory.</summary>
    public static (string TraceParent, ReadOnlyMemory<byte> Json) Decode(ReadOnlyMemory<byte> payload)
    {
        var separator = payload.Span.IndexOf((byte)Separator);
        var traceParent = separator > 0 ? Encoding.ASCII.GetString(payload.Span[..separator]) : "";
        return (traceParent, payload[(separator + 1)..]);
    }

    /// <summary>The traceparent ("" when none) and the JSON.</summary>
    public static (string TraceParent, string Json) Decode(string payload)
    {
        var separator = payload.IndexOf(Separator);
        return (separator > 0 ? payload[..separator] : "", payload[(separator + 1)..]);
    }
}
