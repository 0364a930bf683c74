//! Certificates made at test time and written as PEM files into a temporary directory
//! (nothing is committed): a CA, a second unrelated CA, a server certificate for
//! `localhost` with an encrypted key, one for `sni.example.org`, and an expired one.

use std::ffi::CString;
use std::path::PathBuf;

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::symm::Cipher;
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509NameBuilder, X509};

/// The password of `server.key`.
pub const KEY_PASSWORD: &str = "hpsocket-test";

/// A certificate and its key.
pub struct Id {
    pub cert_pem: String,
    pub key_pem: String,
    key: PKey<Private>,
    cert: X509,
}

fn new_key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("P-256");
    PKey::from_ec_key(EcKey::generate(&group).expect("EC key")).expect("PKey")
}

/// A certificate for `cn` (also its DNS name, with IP 127.0.0.1 for leaves), signed by
/// `issuer` (self-signed if `None`), valid from `from_days` to `to_days` around now.
pub fn issue(cn: &str, issuer: Option<&Id>, ca: bool, from_days: i64, to_days: i64) -> Id {
    issue_also(cn, &[], issuer, ca, from_days, to_days)
}

/// As `issue`, with more DNS names (`also`) in the subjectAltName of a leaf, for clients
/// that check the server's name (`HPX_Client_SetSSLVerifyHostName`).
pub fn issue_also(
    cn: &str,
    also: &[&str],
    issuer: Option<&Id>,
    ca: bool,
    from_days: i64,
    to_days: i64,
) -> Id {
    let key = new_key();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509::builder().unwrap();
    b.set_version(2).unwrap();
    let mut serial = BigNum::new().unwrap();
    serial.rand(63, MsbOption::MAYBE_ZERO, false).unwrap();
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
        let mut san = SubjectAlternativeName::new();
        san.dns(cn);
        for name in also {
            san.dns(name);
        }
        let san = san
            .ip("127.0.0.1")
            .build(&b.x509v3_context(issuer.map(|i| i.cert.as_ref()), None))
            .unwrap();
        b.append_extension(san).unwrap();
    }
    b.sign(issuer.map_or(&key, |i| &i.key), MessageDigest::sha256())
        .unwrap();
    let cert = b.build();
    Id {
        cert_pem: String::from_utf8(cert.to_pem().unwrap()).unwrap(),
        key_pem: String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap(),
        key,
        cert,
    }
}

/// The test identities and the directory holding their PEM files (removed on drop).
pub struct Pki {
    pub dir: PathBuf,
    pub ca: Id,
    pub other_ca: Id,
    pub server: Id,
    pub sni: Id,
    pub expired: Id,
}

impl Pki {
    /// Makes the identities and writes `ca.pem`, `other-ca.pem`, `server.pem`, `server.key`
    /// (encrypted with [`KEY_PASSWORD`]), `sni.pem`, `sni.key`, `expired.pem`, `expired.key`.
    pub fn new(name: &str) -> Pki {
        let dir =
            std::env::temp_dir().join(format!("hpsocket-ffi-pki-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("pki dir");
        let ca = issue("hpsocket ffi test CA", None, true, -1, 30);
        let other_ca = issue("an unrelated CA", None, true, -1, 30);
        // The SNI test asks for probe.test and x.bound.test, served by these two.
        let server = issue_also("localhost", &["probe.test"], Some(&ca), false, -1, 30);
        let sni = issue_also(
            "sni.example.org",
            &["*.bound.test"],
            Some(&ca),
            false,
            -1,
            30,
        );
        let expired = issue("localhost", Some(&ca), false, -30, -2);
        let encrypted = server
            .key
            .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), KEY_PASSWORD.as_bytes())
            .unwrap();
        let files: [(&str, &[u8]); 8] = [
            ("ca.pem", ca.cert_pem.as_bytes()),
            ("other-ca.pem", other_ca.cert_pem.as_bytes()),
            ("server.pem", server.cert_pem.as_bytes()),
            ("server.key", &encrypted),
            ("sni.pem", sni.cert_pem.as_bytes()),
            ("sni.key", sni.key_pem.as_bytes()),
            ("expired.pem", expired.cert_pem.as_bytes()),
            ("expired.key", expired.key_pem.as_bytes()),
        ];
        for (file, bytes) in files {
            std::fs::write(dir.join(file), bytes).expect("write PEM");
        }
        Pki {
            dir,
            ca,
            other_ca,
            server,
            sni,
            expired,
        }
    }

    /// The path of one of the files, as a C string.
    pub fn path(&self, file: &str) -> CString {
        CString::new(self.dir.join(file).to_str().expect("UTF-8 temp dir")).unwrap()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The common name of the certificate at `cert` (an `X509*` the library returned).
pub fn common_name(cert: *mut std::ffi::c_void) -> Option<String> {
    use foreign_types::ForeignTypeRef;
    if cert.is_null() {
        return None;
    }
    // SAFETY: the library returned a live `X509*` borrowed from a session that is still open.
    let cert = unsafe { openssl::x509::X509Ref::from_ptr(cert.cast()) };
    cert.subject_name()
        .entries_by_nid(Nid::COMMONNAME)
        .next()
        .map(|e| String::from_utf8_lossy(e.data().as_slice()).into_owned())
}
