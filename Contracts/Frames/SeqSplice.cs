using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RealtimeAspire.Contracts.Frames;

/// <summary>
/// An encoded frame cut out around its top-level <c>seq</c>, so that a Redis script can complete it with the seq it
/// draws, without parsing JSON. Built by <see cref="FrameCodec.SpliceAroundSeq(MessageFrame)"/> from the record itself.
/// </summary>
public sealed record SeqSplice(string Prefix, string Suffix)
{
    /// <summary>The complete frame with <paramref name="seq"/>, as the script puts it together.</summary>
    public string Complete(long seq) => Prefix + seq.ToString(CultureInfo.InvariantCulture) + Suffix;

    /// <summary>Cuts <paramref name="utf8Json"/> around the number of its top-level <c>seq</c>.</summary>
    public static SeqSplice Around(byte[] utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                var end = (int)reader.BytesConsumed;
                return new SeqSplice(Encoding.UTF8.GetString(utf8Json, 0, start), Encoding.UTF8.GetString(utf8Json, end, utf8Json.Length - end));
            }
        }

        throw new ArgumentException("The frame has no top-level seq.", nameof(utf8Json));
    }
}
