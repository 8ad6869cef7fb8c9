using System.Net;
using System.Net.Sockets;

namespace RealtimeAspire.MessageService.Webhooks;

/// <summary>
/// The SSRF guard of webhook endpoints: a URL must be absolute http(s) and every address its host resolves to must be a
/// public unicast one. It is checked when an endpoint is registered and again on every connection a delivery opens,
/// so a name that later resolves to an internal address (DNS rebinding) reaches nothing inside.
/// </summary>
public static class WebhookAddressGuard
{
    /// <summary>Null when the URL is acceptable, else why not.</summary>
    public static async Task<string?> CheckUrlAsync(string? url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > WebhookEndpoint.MaxUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "The URL must be an absolute http or https URL.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "The URL must not carry credentials.";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{uri.Host}' does not resolve.";
        }

        if (!allowPrivate && addresses.FirstOrDefault(address => !IsPublic(address)) is { } refused)
        {
            return $"The host '{uri.Host}' resolves to {refused}, which is not a public address.";
        }

        return null;
    }

    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);

    /// <summary>Whether an address is public unicast: not loopback, private, shared, link-local, multicast or reserved.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                   // "this network"
        || b[0] == 10                               // private
        || b[0] == 127                              // loopback
        || (b[0] == 100 && (b[1] & 0xC0) == 64)     // shared address space (carrier-grade NAT)
        || (b[0] == 169 && b[1] == 254)             // link-local, cloud metadata
        || (b[0] == 172 && (b[1] & 0xF0) == 16)     // private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)  // IETF protocol assignments
        || (b[0] == 192 && b[1] == 168)             // private
        || (b[0] == 198 && (b[1] & 0xFE) == 18)     // benchmarking
        || b[0] >= 224);                            // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Loopback) || address.Equals(IPAddress.IPv6None)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return false;
        }

        var b = address.GetAddressBytes();

        // Addresses that carry an IPv4 address in their last four bytes: IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96).
        var v4Compatible = b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        if (v4Compatible || nat64)
        {
            return IsPublicV4(b[12..]);
        }

        // Only global unicast (2000::/3) is public; documentation (2001:db8::/32) is not.
        return (b[0] & 0xE0) == 0x20 && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
    }
}
