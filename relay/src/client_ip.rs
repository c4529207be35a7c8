//! Who the client is, for per-address limits and logs.
//!
//! Behind a reverse proxy every request comes from the proxy's address, so one client could
//! use up the limit of all. When the peer is one of the configured `trusted_proxies`, the
//! client is read from the forwarding header the proxy adds: walking its list of addresses
//! from the right (the hop nearest the relay) past every trusted proxy, the first address
//! that is not trusted is the client. Headers from any other peer are ignored, so a client
//! cannot choose its own address.
//!
//! Per-address limits count an IPv6 client by its /64 network: one host usually has a whole
//! /64 and could otherwise take a fresh address for every connection.

use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;
use serde::Deserialize;

/// The proxies whose forwarding headers are believed: addresses or CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.7`, `::1`) and ranges (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<TrustedProxies, String> {
        list.iter()
            .map(|s| {
                let s = s.as_ref().trim();
                IpNet::from_str(s)
                    .or_else(|_| IpAddr::from_str(s).map(IpNet::from))
                    .map_err(|_| format!("trusted_proxies: {s:?} is not an address or range"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    /// Whether `ip` is one of them.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// Whether none is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de> Deserialize<'de> for TrustedProxies {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let list = Vec::<String>::deserialize(d)?;
        TrustedProxies::parse(&list).map_err(serde::de::Error::custom)
    }
}

/// Which forwarding header names the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientIpHeader {
    /// `X-Forwarded-For` when the request has one, else `Forwarded` (RFC 7239). Right for
    /// proxies that set `X-Forwarded-For` (nginx, HAProxy, Caddy, Traefik, most load
    /// balancers); a proxy that sets only `Forwarded` and passes a client's own
    /// `X-Forwarded-For` through needs `forwarded`.
    #[default]
    Auto,
    /// Only `X-Forwarded-For`.
    XForwardedFor,
    /// Only `Forwarded`.
    Forwarded,
}

/// The client's address: `peer` itself unless it is a trusted proxy, else the nearest
/// untrusted address in the forwarding header (or, when the header names none that can be
/// read, the last trusted hop).
pub fn resolve(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
    which: ClientIpHeader,
) -> IpAddr {
    let peer = canonical(peer);
    if trusted.is_empty() || !trusted.contains(peer) {
        return peer;
    }
    let xff = joined(headers, "x-forwarded-for");
    let fwd = joined(headers, "forwarded");
    let hops: Vec<Option<IpAddr>> = match (which, xff, fwd) {
        (ClientIpHeader::Auto | ClientIpHeader::XForwardedFor, Some(x), _) => {
            x.split(',').map(parse_hop).collect()
        }
        (ClientIpHeader::Auto | ClientIpHeader::Forwarded, _, Some(f)) => {
            f.split(',').map(forwarded_for).collect()
        }
        _ => return peer,
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) => {
                client = canonical(ip);
                if !trusted.contains(client) {
                    return client;
                }
            }
            // `unknown`, an obfuscated name or garbage: nothing further left can be believed.
            None => return client,
        }
    }
    client
}

/// The key per-address limits count by: IPv4 as is, IPv6 by its /64.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Every value of a header, joined as one list (a header may be sent several times).
fn joined(headers: &HeaderMap, name: &str) -> Option<String> {
    let values: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// One address as proxies write them: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
/// `[2001:db8::1]:443`, optionally quoted.
fn parse_hop(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    if let Ok(ip) = IpAddr::from_str(s) {
        return Some(ip);
    }
    if let Some(rest) = s.strip_prefix('[') {
        return IpAddr::from_str(rest.split(']').next()?).ok();
    }
    let (host, port) = s.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    IpAddr::from_str(host).ok()
}

/// The `for=` of one `Forwarded` element (`for=192.0.2.60;proto=http;by=203.0.113.43`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim().eq_ignore_ascii_case("for").then(|| parse_hop(v))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_str(k).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn headers_are_believed_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        let auto = ClientIpHeader::Auto;
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &trusted, auto),
            ip("203.0.113.9")
        );
        // From anyone else the header is the client's own say-so.
        assert_eq!(
            resolve(ip("198.51.100.1"), &h, &trusted, auto),
            ip("198.51.100.1")
        );
        // With no trusted proxy configured, never.
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &TrustedProxies::default(), auto),
            ip("127.0.0.1")
        );
        // No header: the proxy itself.
        assert_eq!(
            resolve(ip("10.1.2.3"), &HeaderMap::new(), &trusted, auto),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let auto = ClientIpHeader::Auto;
        // The client forged the first entry; the proxies appended the rest.
        let h = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &trusted, auto),
            ip("203.0.113.9")
        );
        // Split over two header lines, with ports and brackets.
        let h = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "[2001:db8::7]:4711, 10.0.0.5:80"),
        ]);
        assert_eq!(
            resolve(ip("127.0.0.1"), &h, &trusted, auto),
            ip("2001:db8::7")
        );
        // Garbage to the left of trusted hops stops the walk at the last trusted one.
        let h = headers(&[("x-forwarded-for", "not-an-ip, 10.0.0.5")]);
        assert_eq!(resolve(ip("127.0.0.1"), &h, &trusted, auto), ip("10.0.0.5"));
    }

    #[test]
    fn forwarded_is_read_as_rfc_7239_writes_it() {
        let trusted = TrustedProxies::parse(&["::1"]).unwrap();
        let h = headers(&[(
            "forwarded",
            "for=192.0.2.43, For=\"[2001:db8:cafe::17]:4711\";proto=https;by=203.0.113.43",
        )]);
        assert_eq!(
            resolve(ip("::1"), &h, &trusted, ClientIpHeader::Auto),
            ip("2001:db8:cafe::17")
        );
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            resolve(ip("::1"), &h, &trusted, ClientIpHeader::Auto),
            ip("::1")
        );
    }

    #[test]
    fn the_chosen_header_wins_and_the_other_is_ignored() {
        let trusted = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.1"),
            ("forwarded", "for=198.51.100.2"),
        ]);
        let r = |w| resolve(ip("127.0.0.1"), &h, &trusted, w);
        assert_eq!(r(ClientIpHeader::Auto), ip("203.0.113.1"));
        assert_eq!(r(ClientIpHeader::XForwardedFor), ip("203.0.113.1"));
        assert_eq!(r(ClientIpHeader::Forwarded), ip("198.51.100.2"));
        let only_fwd = headers(&[("forwarded", "for=198.51.100.2")]);
        assert_eq!(
            resolve(
                ip("127.0.0.1"),
                &only_fwd,
                &trusted,
                ClientIpHeader::XForwardedFor
            ),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
