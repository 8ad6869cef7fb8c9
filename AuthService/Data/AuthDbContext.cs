using RealtimeAspire.AuthService.Clients;
using Microsoft.EntityFrameworkCore;

namespace RealtimeAspire.AuthService.Data;

public sealed class AuthDbContext(DbContextOptions<AuthDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    public DbSet<ServerClient> Clients => Set<ServerClient>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.Property(u => u.Username).HasMaxLength(32);
            user.HasIndex(u => u.Username).IsUnique();
        });

        modelBuilder.Entity<RefreshToken>(token =>
        {
            token.ToTable("refresh_tokens");
            token.Property(t => t.TokenHash).HasMaxLength(32);
            token.HasIndex(t => t.TokenHash).IsUnique();
            token.HasIndex(t => t.FamilyId);
            token.HasIndex(t => t.ExpiresAt);
            token.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys");
            key.Property(k => k.Id).HasMaxLength(64);
        });

        modelBuilder.Entity<ServerClient>(client =>
        {
            client.ToTable("server_clients");
            client.Property(c => c.Id).HasMaxLength(ClientIds.MaxLength);
            client.Property(c => c.Name).HasMaxLength(ClientIds.MaxNameLength);
            client.Property(c => c.Scopes).HasMaxLength(512);
        });
    }
}
