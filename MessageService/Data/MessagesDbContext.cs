using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Webhooks;
using RealtimeAspire.Contracts.Frames;

namespace RealtimeAspire.MessageService.Data;

public sealed class MessagesDbContext(DbContextOptions<MessagesDbContext> options) : DbContext(options)
{
    public DbSet<StoredMessage> Messages => Set<StoredMessage>();

    public DbSet<Room> Rooms => Set<Room>();

    public DbSet<RoomMember> RoomMembers => Set<RoomMember>();

    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();

    public DbSet<WebhookEvent> WebhookEvents => Set<WebhookEvent>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<UserRoom> UserRooms => Set<UserRoom>();

    public DbSet<RoomRead> RoomReads => Set<RoomRead>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredMessage>(message =>
        {
            // The primary key is the history index: every page is a range scan of one room's seq.
            message.HasKey(m => new { m.Room, m.Seq });
            message.Property(m => m.Room).HasMaxLength(Room.MaxIdLength);
            message.Property(m => m.Data).HasColumnType("jsonb");
            message.Property(m => m.Kind).HasMaxLength(32).HasDefaultValue(FrameTypes.Message);
            message.Property(m => m.Emoji).HasMaxLength(128);
            message.Property(m => m.Op).HasMaxLength(16);
            message.Ignore(m => m.IsMessage);

            // History without events pages over messages only; a lookup, a reaction count or a delete finds a message's events.
            message.HasIndex(m => new { m.Room, m.Seq }).HasFilter("\"Kind\" = 'message'").HasDatabaseName("IX_Messages_Room_Seq_Messages");
            message.HasIndex(m => new { m.Room, m.MessageId });
        });

        modelBuilder.Entity<Room>(room =>
        {
            room.Property(r => r.Id).HasMaxLength(Room.MaxIdLength);
            room.Property(r => r.Visibility).HasConversion<string>().HasMaxLength(16);
            room.HasMany(r => r.Members).WithOne().HasForeignKey(m => m.RoomId);
        });

        modelBuilder.Entity<RoomMember>(member =>
        {
            member.HasKey(m => new { m.RoomId, m.UserId });
            member.HasIndex(m => new { m.RoomId, m.Username }).IsUnique();
        });

        WebhookModel.Configure(modelBuilder);
        modelBuilder.Entity<UserRoom>(entry =>
        {
            entry.HasKey(r => new { r.UserId, r.Room });
            entry.Property(r => r.Room).HasMaxLength(Room.MaxIdLength);
        });

        modelBuilder.Entity<RoomRead>(read =>
        {
            read.HasKey(r => new { r.Room, r.UserId });
            read.Property(r => r.Room).HasMaxLength(Room.MaxIdLength);
        });
    }
}
