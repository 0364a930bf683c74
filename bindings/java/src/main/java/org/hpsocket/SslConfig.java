package org.hpsocket;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of a TLS context ({@code SetupSSLContext}/{@code AddSSLContext}): verify mode,
 * certificate chain and private key, trusted CAs and cipher list, each from a file or from PEM
 * text. Immutable; made with {@link #builder()}.
 *
 * <pre>{@code
 * SslConfig server = SslConfig.builder()
 *         .certificateFile(Path.of("server.crt"))
 *         .privateKeyFile(Path.of("server.key"))
 *         .build();
 * SslConfig client = SslConfig.builder()
 *         .verifyMode(SslConfig.VERIFY_PEER)
 *         .caFile(Path.of("ca.crt"))
 *         .build();
 * }</pre>
 */
public final class SslConfig {
    /** {@code SSL_VM_NONE}: no peer verification. */
    public static final int VERIFY_NONE = 0x00;
    /** {@code SSL_VM_PEER}: verify the peer (servers ask clients for a certificate). */
    public static final int VERIFY_PEER = 0x01;
    /** {@code SSL_VM_FAIL_IF_NO_PEER_CERT}: servers fail a client without a certificate. */
    public static final int VERIFY_FAIL_IF_NO_PEER_CERT = 0x02;
    /** {@code SSL_VM_CLIENT_ONCE}: do not ask again on renegotiation. */
    public static final int VERIFY_CLIENT_ONCE = 0x04;

    private static final int MEM_CERT = 1;
    private static final int MEM_KEY = 2;
    private static final int MEM_CA = 4;

    private final int verifyMode;
    private final String certificate;
    private final String privateKey;
    private final String keyPassword;
    private final String ca;
    private final String cipherList;
    private final int memoryMask;

    private SslConfig(Builder b) {
        this.verifyMode = b.verifyMode;
        this.certificate = b.certificate;
        this.privateKey = b.privateKey;
        this.keyPassword = b.keyPassword;
        this.ca = b.ca;
        this.cipherList = b.cipherList;
        this.memoryMask = b.memoryMask;
    }

    /**
     * A new builder: no verification, no certificate, no CA, OpenSSL's default ciphers.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The {@code VERIFY_*} bits.
     *
     * @return the verify mode
     */
    public int verifyMode() {
        return verifyMode;
    }

    String certificate() {
        return certificate;
    }

    String privateKey() {
        return privateKey;
    }

    String keyPassword() {
        return keyPassword;
    }

    String ca() {
        return ca;
    }

    String cipherList() {
        return cipherList;
    }

    int memoryMask() {
        return memoryMask;
    }

    /** Builds an {@link SslConfig}. */
    public static final class Builder {
        private int verifyMode;
        private String certificate;
        private String privateKey;
        private String keyPassword;
        private String ca;
        private String cipherList;
        private int memoryMask;

        private Builder() {}

        /**
         * Sets the {@code VERIFY_*} bits.
         *
         * @param mode the bits
         * @return this builder
         */
        public Builder verifyMode(int mode) {
            this.verifyMode = mode;
            return this;
        }

        /**
         * The certificate chain (leaf first) from a PEM file; required for servers.
         *
         * @param file the PEM file
         * @return this builder
         */
        public Builder certificateFile(Path file) {
            this.certificate = file.toString();
            this.memoryMask &= ~MEM_CERT;
            return this;
        }

        /**
         * The certificate chain as PEM text.
         *
         * @param pem the PEM text
         * @return this builder
         */
        public Builder certificatePem(String pem) {
            this.certificate = Objects.requireNonNull(pem);
            this.memoryMask |= MEM_CERT;
            return this;
        }

        /**
         * The private key from a PEM file.
         *
         * @param file the PEM file
         * @return this builder
         */
        public Builder privateKeyFile(Path file) {
            this.privateKey = file.toString();
            this.memoryMask &= ~MEM_KEY;
            return this;
        }

        /**
         * The private key as PEM text.
         *
         * @param pem the PEM text
         * @return this builder
         */
        public Builder privateKeyPem(String pem) {
            this.privateKey = Objects.requireNonNull(pem);
            this.memoryMask |= MEM_KEY;
            return this;
        }

        /**
         * The password of an encrypted private key.
         *
         * @param password the password
         * @return this builder
         */
        public Builder keyPassword(String password) {
            this.keyPassword = password;
            return this;
        }

        /**
         * Trusted CA certificates from a PEM file or a directory of hashed PEM files.
         *
         * @param fileOrDirectory the file or directory
         * @return this builder
         */
        public Builder caFile(Path fileOrDirectory) {
            this.ca = fileOrDirectory.toString();
            this.memoryMask &= ~MEM_CA;
            return this;
        }

        /**
         * Trusted CA certificates as PEM text.
         *
         * @param pem the PEM text
         * @return this builder
         */
        public Builder caPem(String pem) {
            this.ca = Objects.requireNonNull(pem);
            this.memoryMask |= MEM_CA;
            return this;
        }

        /**
         * An OpenSSL cipher list (TLS 1.2); unset: OpenSSL's default.
         *
         * @param ciphers the list
         * @return this builder
         */
        public Builder cipherList(String ciphers) {
            this.cipherList = ciphers;
            return this;
        }

        /**
         * Makes the configuration.
         *
         * @return the configuration
         */
        public SslConfig build() {
            return new SslConfig(this);
        }
    }
}
