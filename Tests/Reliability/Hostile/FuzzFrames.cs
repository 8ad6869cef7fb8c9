using System.Text;

namespace RealtimeAspire.Tests.Reliability;

/// <summary>
/// One malformed (or odd but valid) client frame and what the server must answer: the <c>error</c> code, or
/// <c>pong</c> for a ping whose oddity is allowed (unknown fields). An anonymous connection gets
/// <paramref name="Anonymous"/>: the parse errors come before the authentication check, the rest is
/// <c>not_authenticated</c>.
/// </summary>
public sealed record FuzzFrame(string Kind, byte[] Payload, string Authenticated, string Anonymous);

/// <summary>Malformed JSON-level frames, made from a seeded random source so a failing run can be repeated.</summary>
public sealed class FuzzFrames(int seed, string room)
{
    private const string Pong = "pong";

    private readonly Random _random = new(seed);

    private delegate FuzzFrame Maker();

    public IEnumerable<FuzzFrame> Take(int count)
    {
        Maker[] makers =
        [
            Truncated, Garbage, TrailingData, DeepNesting, NotAnObject, HugeOrBadNumber, WrongType, MissingField,
            RepeatedField, UnknownType, UnknownFieldsOnPing, InvalidRoom, ContentTooLong, EmptyContent, LongClientId,
            NotJoined, NulInContent, LoneSurrogate, ControlCharacter, ByteOrderMark, Comment, NullField, BadAuth,
        ];
        for (var i = 0; i < count; i++)
        {
            yield return makers[i % makers.Length]();
        }
    }

    private FuzzFrame Json(string kind, string json, string code, string? anonymous = null) =>
        new(kind, Encoding.UTF8.GetBytes(json), code, anonymous ?? code);

    private string Message(string? content = null, string? id = null) =>
        $$"""{"type":"message","room":"{{room}}","content":"{{content ?? Word(8)}}","id":"{{id ?? Word(12)}}"}""";

    private FuzzFrame Truncated()
    {
        var whole = Message();
        return Json("truncated", whole[.._random.Next(1, whole.Length)], "invalid_json");
    }

    private FuzzFrame Garbage() => Json("garbage", "~" + Word(_random.Next(1, 200), "{}[]\":,\\ abcxyz019"), "invalid_json");

    private FuzzFrame TrailingData() =>
        Json("trailing-data", _random.Next(2) == 0 ? """{"type":"ping"} x""" : """{"type":"ping"}{"type":"ping"}""", "invalid_json");

    private FuzzFrame DeepNesting()
    {
        var depth = _random.Next(17, 3000);
        var open = _random.Next(2) == 0 ? '[' : '{';
        var nested = open == '['
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        return Json("deep-nesting", $$"""{"type":"ping","x":{{nested}}}""", "invalid_json");
    }

    private FuzzFrame NotAnObject()
    {
        string[] values = ["[]", "42", "\"join\"", "null", "true", "1e999", "[{\"type\":\"ping\"}]"];
        return Json("not-an-object", values[_random.Next(values.Length)], "invalid_message");
    }

    private FuzzFrame HugeOrBadNumber()
    {
        string[] numbers = ["1e999", "-1", "1.5", "99999999999999999999999999999", "-0.0", "1E+400", "\"5\""];
        return Json("huge-number", $$"""{"type":"join","room":"{{room}}","since":{{numbers[_random.Next(numbers.Length)]}}}""", "invalid_message");
    }

    private FuzzFrame WrongType()
    {
        string[] frames =
        [
            """{"type":7}""", """{"type":["ping"]}""", """{"type":"join","room":123}""",
            $$$"""{"type":"message","room":"{{{room}}}","content":{"a":1}}""",
            $$"""{"type":"message","room":"{{room}}","content":"x","id":7}""",
            $$"""{"type":"message","room":["{{room}}"],"content":"x"}""", """{"type":"join","room":true}""",
        ];
        return Json("wrong-type", frames[_random.Next(frames.Length)], "invalid_message");
    }

    private FuzzFrame MissingField()
    {
        string[] frames =
        [
            $$"""{"room":"{{room}}"}""", "{}", $$"""{"type":"message","room":"{{room}}"}""", """{"type":"join"}""",
            """{"type":"message","content":"x"}""", """{"type":"typing"}""",
        ];
        return Json("missing-field", frames[_random.Next(frames.Length)], "invalid_message");
    }

    private FuzzFrame RepeatedField() => Json("repeated-field",
        _random.Next(2) == 0 ? """{"type":"ping","type":"join"}""" : $$"""{"type":"join","room":"{{room}}","room":"other"}""",
        "invalid_message");

    private FuzzFrame UnknownType() => Json("unknown-type", $$"""{"type":"{{Word(_random.Next(1, 40))}}"}""", "unknown_type");

    private FuzzFrame UnknownFieldsOnPing() => Json("unknown-fields",
        $$"""{"type":"ping","{{Word(6)}}":{"nested":[1,2,{"x":"{{Word(20)}}"}]},"n":{{_random.NextInt64()}}}""", Pong);

    private FuzzFrame InvalidRoom()
    {
        string[] rooms = ["", "has space", "semi;colon", "slash/room", "émoji😀", new string('r', 129), "quote'--", "a\\u0000b"];
        var type = _random.Next(3) switch { 0 => "join", 1 => "typing", _ => "presence" };
        return Json("invalid-room", $$"""{"type":"{{type}}","room":"{{rooms[_random.Next(rooms.Length)]}}"}""", "invalid_room");
    }

    private FuzzFrame ContentTooLong() =>
        Json("content-too-long", Message(new string('x', _random.Next(4_001, 20_000))), "content_too_long");

    private FuzzFrame EmptyContent() => Json("empty-content", Message(""), "invalid_message");

    private FuzzFrame LongClientId() => Json("long-client-id", Message(id: Word(129)), "invalid_message");

    private FuzzFrame NotJoined()
    {
        var type = _random.Next(3) switch { 0 => "typing", 1 => "presence", _ => "leave" };
        return Json("not-joined", $$"""{"type":"{{type}}","room":"never-joined-{{Word(10)}}"}""", "not_joined", "not_authenticated");
    }

    private FuzzFrame NulInContent() => Json("nul-in-content", Message("""a\u0000b"""), "invalid_message");

    private FuzzFrame LoneSurrogate() => Json("lone-surrogate", Message("""a\ud800b"""), "invalid_json");

    private FuzzFrame ControlCharacter() => Json("control-character", "{\"type\":\"ping\",\"x\":\"a\u0001b\"}", "invalid_json");

    private FuzzFrame ByteOrderMark() => new("byte-order-mark",
        [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"type":"ping"}""")], "invalid_json", "invalid_json");

    private FuzzFrame Comment() => Json("comment", """{"type":"ping"/* hi */}""", "invalid_json");

    private FuzzFrame NullField() => Json("null-field", """{"type":"join","room":null}""", "invalid_message");

    private FuzzFrame BadAuth()
    {
        string[] frames = ["""{"type":"auth"}""", """{"type":"auth","token":""}""", """{"type":"auth","token":42}""", """{"type":"auth","token":null}"""];
        return Json("bad-auth", frames[_random.Next(frames.Length)], "invalid_message");
    }

    private string Word(int length, string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789") =>
        string.Create(length, (_random, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state._random.Next(state.alphabet.Length)];
            }
        });
}
