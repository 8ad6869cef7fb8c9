using Microsoft.EntityFrameworkCore;
using RealtimeAspire.MessageService.Data;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>The outbox tables in the messages database, so an event commits with the change it reports.</summary>
public static class WebhookModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebhookEndpoint>(endpoint =>
        {
            endpoint.Property(e => e.Url).HasMaxLength(WebhookEndpoint.MaxUrlLength);
            endpoint.Property(e => e.Secret).HasMaxLength(64);
            endpoint.Property(e => e.CreatedBy).HasMaxLength(256);
        });

        modelBuilder.Entity<WebhookEvent>(webhookEvent =>
        {
            webhookEvent.Property(e => e.Type).HasMaxLength(64);
            webhookEvent.Property(e => e.Room).HasMaxLength(Room.MaxIdLength);
            webhookEvent.Property(e => e.OrderKey).HasMaxLength(256);
            webhookEvent.HasIndex(e => e.CreatedAt);
        });

        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            delivery.Property(d => d.OrderKey).HasMaxLength(256);
            delivery.HasOne<WebhookEvent>().WithMany().HasForeignKey(d => d.EventId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
            delivery.HasIndex(d => new { d.EventId, d.EndpointId }).IsUnique();

            // The worker's two questions: what is due, and is anything ahead of it in its queue.
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("\"Status\" = 'Pending'").HasDatabaseName("IX_WebhookDeliveries_Due");
            delivery.HasIndex(d => new { d.EndpointId, d.OrderKey, d.Id }).HasFilter("\"Status\" = 'Pending'").HasDatabaseName("IX_WebhookDeliveries_Queue");
            delivery.HasIndex(d => new { d.EndpointId, d.Status, d.Id });
        });
    }
}
