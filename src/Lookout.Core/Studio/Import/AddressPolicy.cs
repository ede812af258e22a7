using System.Net;
using System.Net.Sockets;

namespace Lookout.Core.Studio.Import;

/// <summary>
/// Which IP addresses a URL import may connect to: public unicast only, unless the operator allows a range. Refused:
/// loopback, private (RFC 1918, IPv6 unique-local), carrier-grade NAT, link-local (incl. the 169.254.169.254 cloud
/// metadata address), multicast, broadcast, "this network", documentation and benchmark ranges, and IPv4 embedded in
/// IPv6 (mapped, NAT64, 6to4) judged as the IPv4 it carries.
/// </summary>
public sealed class AddressPolicy
{
    private static readonly IPNetwork[] Blocked =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            "::/128", "::1/128", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8", "2001:db8::/32", "100::/64", "2001::/32",
        }.Select(IPNetwork.Parse),
    ];

    private readonly IReadOnlyList<IPNetwork> _allowed;

    /// <param name="allowedRanges">CIDR ranges reachable despite the rules (e.g. a NAS, or loopback for a test).</param>
    public AddressPolicy(IEnumerable<string>? allowedRanges = null) =>
        _allowed = (allowedRanges ?? []).Select(IPNetwork.Parse).ToList();

    public static AddressPolicy PublicOnly { get; } = new();

    /// <summary>Null when the address may be reached; else why not (for the per-URL report).</summary>
    public string? Refusal(IPAddress address)
    {
        if (_allowed.Any(n => n.Contains(address))) return null;
        var v4 = Embedded(address);
        if (v4 is not null && !ReferenceEquals(v4, address)) return Refusal(v4);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return "not an IP address";
        var hit = Blocked.FirstOrDefault(n => n.Contains(address));
        if (hit == default) return null;
        return $"{address} is a {Kind(address)} address";
    }

    /// <summary>The IPv4 address inside an IPv4-mapped, NAT64 (64:ff9b::/96) or 6to4 (2002::/16) IPv6 address; the address itself otherwise.</summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address;
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0) return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b.AsSpan(2, 4));
        return address;
    }

    private static string Kind(IPAddress a)
    {
        if (IPAddress.IsLoopback(a)) return "loopback";
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = a.GetAddressBytes();
            if (b[0] == 169 && b[1] == 254) return "link-local (cloud metadata)";
            if (b[0] >= 224 && b[0] <= 239) return "multicast";
            if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)) return "private";
            if (b[0] == 100 && (b[1] & 0xC0) == 64) return "carrier-grade NAT";
            return "reserved";
        }
        if (a.IsIPv6LinkLocal) return "link-local";
        if (a.IsIPv6Multicast) return "multicast";
        if ((a.GetAddressBytes()[0] & 0xFE) == 0xFC) return "private (unique-local)";
        return "reserved";
    }
}
