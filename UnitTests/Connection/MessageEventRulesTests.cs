using RealtimeAspire.ConnectionService.Messages;
using RealtimeAspire.ConnectionService.Protocol;
using RealtimeAspire.Contracts;

namespace RealtimeAspire.Tests.Connection;

/// <summary>Who may edit, delete and react (protocol.md §7), and the edit window, on a clock the test sets.</summary>
public sealed class MessageEventRulesTests
{
    private static readonly DateTimeOffset SentAt = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private static readonly MessageLookup Message = new("r", Guid.CreateVersion7().ToString(), 7, "author", SentAt, false, "owner", []);

    [Theory]
    [InlineData(ClientFrameType.Edit, "author", null)]
    [InlineData(ClientFrameType.Edit, "owner", ErrorCodes.Forbidden)]
    [InlineData(ClientFrameType.Edit, "stranger", ErrorCodes.Forbidden)]
    [InlineData(ClientFrameType.Delete, "author", null)]
    [InlineData(ClientFrameType.Delete, "owner", null)]
    [InlineData(ClientFrameType.Delete, "stranger", ErrorCodes.Forbidden)]
    [InlineData(ClientFrameType.React, "stranger", null)]
    [InlineData(ClientFrameType.Unreact, "stranger", null)]
    public void Only_the_author_edits_and_the_author_or_owner_deletes(ClientFrameType type, string userId, string? code)
    {
        Assert.Equal(code, MessageEventSender.Check(type, userId, Message, SentAt.AddMinutes(1), Window)?.Code);
    }

    [Fact]
    public void The_edit_window_ends_after_its_length_and_deleting_has_none()
    {
        var last = SentAt + Window;

        Assert.Null(MessageEventSender.Check(ClientFrameType.Edit, "author", Message, last, Window));
        Assert.Equal(ErrorCodes.EditWindowPassed, MessageEventSender.Check(ClientFrameType.Edit, "author", Message, last.AddMilliseconds(1), Window)?.Code);
        Assert.Null(MessageEventSender.Check(ClientFrameType.Delete, "author", Message, last.AddDays(30), Window));
        Assert.Null(MessageEventSender.Check(ClientFrameType.Delete, "owner", Message, last.AddDays(30), Window));
    }

    [Fact]
    public void A_room_without_owner_lets_only_the_author_delete()
    {
        var ownerless = Message with { RoomOwnerId = null };

        Assert.Equal(ErrorCodes.Forbidden, MessageEventSender.Check(ClientFrameType.Delete, "owner", ownerless, SentAt, Window)?.Code);
    }
}
