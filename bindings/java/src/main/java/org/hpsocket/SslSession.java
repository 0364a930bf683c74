package org.hpsocket;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Facts about one connection's TLS session.
 *
 * @param protocol the protocol version, such as {@code TLSv1.3}
 * @param cipher   the cipher suite's OpenSSL name
 * @param peerCertificateDer the peer's certificate in DER, or null if it sent none
 */
public record SslSession(String protocol, String cipher, byte[] peerCertificateDer) {
    /**
     * The peer's certificate.
     *
     * @return the certificate, or null if the peer sent none
     * @throws IllegalStateException if it cannot be parsed
     */
    public X509Certificate peerCertificate() {
        if (peerCertificateDer == null) {
            return null;
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(peerCertificateDer));
        } catch (CertificateException e) {
            throw new IllegalStateException("peer certificate: " + e.getMessage(), e);
        }
    }
}
