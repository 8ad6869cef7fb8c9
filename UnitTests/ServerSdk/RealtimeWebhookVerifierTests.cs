using Microsoft.AspNetCore.Http;
using RealtimeAspire.Server;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace RealtimeAspire.Tests.ServerSdk;

/// <summary>The SDK's verifier accepts what a Standard Webhooks sender signs, and nothing altered.</summary>
public sealed class RealtimeWebhookVerifierTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Body = """{"type":"message.created","timestamp":"2026-12-02T17:00:00.000Z","data":{"room":"lobby","seq":7}}""";

    [Fact]
    public void A_signed_delivery_verifies_and_reads_as_its_event()
    {
        var headers = Signed("msg_1", DateTimeOffset.UtcNow, Body);

        var delivery = new RealtimeWebhookVerifier(Secret).Verify(Body, headers);

        Assert.Equal("msg_1", delivery.Id);
        Assert.Equal("message.created", delivery.Type);
        Assert.Equal(7, delivery.Data.GetProperty("seq").GetInt32());
    }

    [Fact]
    public void An_altered_body_another_secret_or_an_old_timestamp_is_refused()
    {
        var verifier = new RealtimeWebhookVerifier(Secret);

        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Body.Replace("7", "8"), Signed("msg_1", DateTimeOffset.UtcNow, Body)));
        Assert.Throws<WebhookVerificationException>(() =>
            new RealtimeWebhookVerifier("whsec_" + Convert.ToBase64String(new byte[24])).Verify(Body, Signed("msg_1", DateTimeOffset.UtcNow, Body)));
        Assert.Throws<WebhookVerificationException>(() => verifier.Verify(Body, Signed("msg_1", DateTimeOffset.UtcNow.AddHours(-1), Body)));
    }

    private static HeaderDictionary Signed(string id, DateTimeOffset at, string body) => new()
    {
        ["webhook-id"] = id,
        ["webhook-timestamp"] = at.ToUnixTimeSeconds().ToString(),
        ["webhook-signature"] = new StandardWebhook(Secret).Sign(id, at, body),
    };
}
