/*
 * A self-signed test certificate (CN=localhost, IP 127.0.0.1, EC P-256, valid until 2126) and
 * its key, for the SSL components of the hardening tests. Test material only: it protects
 * nothing.
 */
#ifndef HARD_PKI_H
#define HARD_PKI_H
static const char TEST_CERT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBmjCCAUGgAwIBAgIULhUupvEI/cGId30Kjl5rGRWI8RAwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTA4MjE0MVoYDzIxMjYxMTAx\n"
    "MDgyMTQxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAATk9fFJ4KpuYUVvQAPsBO5V11Ui36WNgzVdauT+A/o8LUfyQJ/303Ex\n"
    "JdI6S2SGwOE8uX4BaA/jrKfgwF+lVYGOo28wbTAdBgNVHQ4EFgQU7vtO6OpJ/L8E\n"
    "NbLG587Vutq79L8wHwYDVR0jBBgwFoAU7vtO6OpJ/L8ENbLG587Vutq79L8wDwYD\n"
    "VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI\n"
    "zj0EAwIDRwAwRAIgIFFvTjaRJrOY/k/LUAf2r9X3EbaBxYDBk2NYvE62xTsCIHSN\n"
    "NwTYRQCnzusyzsO7e8/BVJLMP2ONz4stpriPuVvT\n"
    "-----END CERTIFICATE-----\n";
static const char TEST_KEY[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtGZpCO7xmHyqkWHd\n"
    "o0z7/0PUG7g6NgBSlwa96sGi6JShRANCAATk9fFJ4KpuYUVvQAPsBO5V11Ui36WN\n"
    "gzVdauT+A/o8LUfyQJ/303ExJdI6S2SGwOE8uX4BaA/jrKfgwF+lVYGO\n"
    "-----END PRIVATE KEY-----\n";
#endif
