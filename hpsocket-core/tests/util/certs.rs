//! Test PKI made at test time (nothing committed): a CA, server and client certificates
//! signed by it, a second CA, an expired certificate, and an encrypted key.

#![allow(dead_code)]

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};

pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
    pub key: PKey<Private>,
    pub cert: X509,
}

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap()
}

/// Issues a certificate for `cn` (also its DNS SAN), signed by `issuer` (self-signed when
/// `None`), valid from `from_days` to `to_days` relative to now.
pub fn issue(cn: &str, issuer: Option<&Issued>, ca: bool, from_days: i64, to_days: i64) -> Issued {
    issue_with(cn, issuer, ca, from_days, to_days, &[cn], &["127.0.0.1"])
}

/// A leaf certificate for exactly these subjectAltName DNS names and IPs, signed by `issuer`.
pub fn issue_for(issuer: &Issued, dns: &[&str], ips: &[&str]) -> Issued {
    issue_with(
        dns.first().copied().unwrap_or("no name"),
        Some(issuer),
        false,
        -1,
        30,
        dns,
        ips,
    )
}

fn issue_with(
    cn: &str,
    issuer: Option<&Issued>,
    ca: bool,
    from_days: i64,
    to_days: i64,
    dns: &[&str],
    ips: &[&str],
) -> Issued {
    let key = key();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(64, MsbOption::MAYBE_ZERO, false).unwrap();
    b.set_serial_number(&serial.to_asn1_integer().unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(issuer.map_or(&name, |i| i.cert.subject_name()))
        .unwrap();
    b.set_pubkey(&key).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    b.set_not_before(&Asn1Time::from_unix(now + from_days * 86_400).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::from_unix(now + to_days * 86_400).unwrap())
        .unwrap();
    if ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        if !dns.is_empty() || !ips.is_empty() {
            let mut san = SubjectAlternativeName::new();
            for d in dns {
                san.dns(d);
            }
            for ip in ips {
                san.ip(ip);
            }
            let san = san
                .build(&b.x509v3_context(issuer.map(|i| i.cert.as_ref()), None))
                .unwrap();
            b.append_extension(san).unwrap();
        }
    }
    b.sign(issuer.map_or(&key, |i| &i.key), MessageDigest::sha256())
        .unwrap();
    let cert = b.build();
    Issued {
        cert_pem: String::from_utf8(cert.to_pem().unwrap()).unwrap(),
        key_pem: String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        key,
        cert,
    }
}

/// The key of `issued` encrypted with `password`.
pub fn encrypted_key(issued: &Issued, password: &str) -> String {
    let pem = issued
        .key
        .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), password.as_bytes())
        .unwrap();
    String::from_utf8(pem).unwrap()
}

/// The set of test identities.
pub struct Pki {
    pub ca: Issued,
    pub other_ca: Issued,
    pub server: Issued,
    pub server_b: Issued,
    pub client: Issued,
    pub expired: Issued,
}

pub fn pki() -> Pki {
    let ca = issue("hpsocket test CA", None, true, -1, 30);
    let other_ca = issue("unrelated CA", None, true, -1, 30);
    Pki {
        server: issue("localhost", Some(&ca), false, -1, 30),
        server_b: issue("b.example.test", Some(&ca), false, -1, 30),
        client: issue("test client", Some(&ca), false, -1, 30),
        expired: issue("localhost", Some(&ca), false, -30, -1),
        ca,
        other_ca,
    }
}
