using System.Net;
using RealtimeAspire.MessageService.Webhooks;

namespace RealtimeAspire.Tests.Webhooks;

/// <summary>The SSRF guard of webhook endpoints: which addresses and URLs it lets through.</summary>
public sealed class WebhookAddressGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.10.0.5")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2001:db8::1")]
    public void Refuses_loopback_private_link_local_multicast_and_reserved_addresses(string address) =>
        Assert.False(WebhookAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void Lets_public_unicast_addresses_through(string address) =>
        Assert.True(WebhookAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://10.0.0.7/hook")]
    public async Task A_url_on_a_private_address_is_refused_unless_allowed(string url)
    {
        Assert.Contains("not a public address", await WebhookAddressGuard.CheckUrlAsync(url, allowPrivate: false, CancellationToken.None));
        Assert.Null(await WebhookAddressGuard.CheckUrlAsync(url, allowPrivate: true, CancellationToken.None));
    }

    [Theory]
    [InlineData("ftp://93.184.215.14/hook")]
    [InlineData("/relative/hook")]
    [InlineData("")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pw@93.184.215.14/hook")]
    public async Task A_url_that_is_not_plain_http_or_https_is_refused_even_when_private_addresses_are_allowed(string url) =>
        Assert.NotNull(await WebhookAddressGuard.CheckUrlAsync(url, allowPrivate: true, CancellationToken.None));

    [Fact]
    public async Task A_public_literal_address_is_accepted() =>
        Assert.Null(await WebhookAddressGuard.CheckUrlAsync("https://93.184.215.14/hook", allowPrivate: false, CancellationToken.None));
}
