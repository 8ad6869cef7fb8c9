using Microsoft.EntityFrameworkCore;

namespace RealtimeAspire.MessageService.Data;

public sealed class MessagesDbContext(DbContextOptions<MessagesDbContext> options) : DbContext(options)
{
    public DbSet<StoredMessage> Messages => Set<StoredMessage>();

    public DbSet<Room> Rooms => Set<Room>();

    public DbSet<RoomMember> RoomMembers => Set<RoomMember>();

    public DbSet<UserRoom> UserRooms => Set<UserRoom>();

    public DbSet<RoomRead> RoomReads => Set<RoomRead>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StoredMessage>(message =>
        {
            // The primary key is the history index: every page is a range scan of one room's seq.
            message.HasKey(m => new { m.Room, m.Seq });
            message.Property(m => m.Room).HasMaxLength(Room.MaxIdLength);
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
