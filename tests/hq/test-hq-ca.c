/* test-hq-ca.c: tests for src/hq/hq-ca.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/stat.h>

#include "hq-ca.h"
#include "till-test-util.h"
#include "till-wire.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free)

static char *scratch;
static char *ca_dir;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
  ca_dir = g_build_filename (scratch, "ca", NULL);
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&ca_dir, g_free);
}

static HqCa *
open_ca (const char *dir, const char *const *names)
{
  g_autoptr (GError) error = NULL;
  HqCa *ca = hq_ca_open (dir, names, &error);

  ck_assert_msg (ca != NULL, "%s", error ? error->message : "");
  return ca;
}

static char *
bio_text (BIO *bio)
{
  const char *data = NULL;
  long        len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, (gsize) len);
}

/* A PEM certificate request for @key's public half, signed by @signer (the
 * same key for an honest request). */
static char *
make_csr (EVP_PKEY *key, EVP_PKEY *signer)
{
  g_autoptr (X509_REQ) request = X509_REQ_new ();
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());
  X509_NAME *name = X509_REQ_get_subject_name (request);

  ck_assert (X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const guchar *) "till", -1, -1,
                                         0) == 1);
  ck_assert (X509_REQ_set_pubkey (request, key) == 1);
  ck_assert (X509_REQ_sign (request, signer, EVP_sha256 ()) > 0);
  ck_assert (PEM_write_bio_X509_REQ (bio, request) == 1);
  return bio_text (bio);
}

static X509 *
x509_from_pem (const char *pem)
{
  g_autoptr (BIO) bio = BIO_new_mem_buf (pem, -1);

  return PEM_read_bio_X509 (bio, NULL, NULL, NULL);
}

static char *
subject_cn (X509 *cert)
{
  char cn[256];

  ck_assert_int_gt (
      X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName, cn, sizeof cn), 0);
  return g_strdup (cn);
}

static char *
sign_new_client (HqCa *ca, const char *till_id, char **out_fingerprint)
{
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autofree char *csr = make_csr (key, key);
  g_autoptr (GError) error = NULL;
  char *pem = hq_ca_sign_client (ca, csr, till_id, 825, out_fingerprint, &error);

  ck_assert_msg (pem != NULL, "%s", error ? error->message : "");
  return pem;
}

static guint
file_mode (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf         st;

  ck_assert_int_eq (g_stat (path, &st), 0);
  return st.st_mode & 0777;
}

/* /hq/ca/open-creates */
START_TEST (test_open_creates)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autofree char *ca_pem = hq_ca_dup_ca_pem (ca);
  g_autoptr (X509) ca_cert = x509_from_pem (ca_pem);
  guint8          *der = NULL;
  int              der_len;
  g_autofree char *digest = NULL;
  g_autoptr (BASIC_CONSTRAINTS) constraints = NULL;

  ck_assert_uint_eq (file_mode (ca_dir, "ca.key"), 0600);
  ck_assert_uint_eq (file_mode (ca_dir, "server.key"), 0600);
  ck_assert_uint_eq (file_mode (ca_dir, "ack.key"), 0600);
  ck_assert_uint_eq (file_mode (ca_dir, "ca.pem") & 0600, 0600);
  ck_assert_uint_eq (file_mode (ca_dir, "server.pem") & 0600, 0600);

  /* The pin is the start of SHA-256 over the CA's DER. */
  ck_assert_ptr_nonnull (ca_cert);
  der_len = i2d_X509 (ca_cert, &der);
  ck_assert_int_gt (der_len, 0);
  digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, (gsize) der_len);
  OPENSSL_free (der);
  ck_assert_uint_eq (strlen (hq_ca_get_pin (ca)), 32);
  ck_assert (strncmp (digest, hq_ca_get_pin (ca), 32) == 0);

  /* A CA, EC P-256, self-signed, for about ten years. */
  constraints = X509_get_ext_d2i (ca_cert, NID_basic_constraints, NULL, NULL);
  ck_assert_ptr_nonnull (constraints);
  ck_assert (constraints->ca);
  ck_assert (X509_get_key_usage (ca_cert) & KU_KEY_CERT_SIGN);
  ck_assert (EVP_PKEY_is_a (X509_get0_pubkey (ca_cert), "EC"));
  ck_assert_int_eq (X509_verify (ca_cert, X509_get0_pubkey (ca_cert)), 1);
  {
    int days = 0, seconds = 0;

    ck_assert (ASN1_TIME_diff (&days, &seconds, NULL, X509_get0_notAfter (ca_cert)));
    ck_assert_int_ge (days, 9 * 365);
  }

  ck_assert_ptr_nonnull (hq_ca_get_ca_certificate (ca));
  ck_assert_ptr_nonnull (hq_ca_get_server_certificate (ca));
  ck_assert_ptr_nonnull (hq_ca_get_ack_public_key (ca));
}
END_TEST

/* /hq/ca/reopen-keeps */
START_TEST (test_reopen_keeps)
{
  g_autoptr (HqCa) first = open_ca (ca_dir, NULL);
  g_autofree char  *first_pin = g_strdup (hq_ca_get_pin (first));
  g_autofree char  *first_ack = g_strdup (hq_ca_get_ack_public_key (first));
  g_autofree char  *first_server = hq_ca_fingerprint (hq_ca_get_server_certificate (first));
  const char *const other_names[] = { "hq.example.com", "10.0.0.5", NULL };

  g_clear_object (&first);
  {
    g_autoptr (HqCa) again = open_ca (ca_dir, NULL);
    g_autofree char *server = hq_ca_fingerprint (hq_ca_get_server_certificate (again));

    ck_assert_str_eq (hq_ca_get_pin (again), first_pin);
    ck_assert_str_eq (hq_ca_get_ack_public_key (again), first_ack);
    ck_assert_str_eq (server, first_server);
  }
  {
    /* Other names: a new server certificate from the same CA. */
    g_autoptr (HqCa) renamed = open_ca (ca_dir, other_names);
    g_autofree char *server = hq_ca_fingerprint (hq_ca_get_server_certificate (renamed));

    ck_assert_str_eq (hq_ca_get_pin (renamed), first_pin);
    ck_assert_str_ne (server, first_server);
  }
}
END_TEST

/* /hq/ca/server-names */
START_TEST (test_server_names)
{
  const char *const names[] = { "HQ.example.com", "10.0.0.5", NULL };
  g_autoptr (HqCa) ca = open_ca (ca_dir, names);
  GTlsCertificate *server = hq_ca_get_server_certificate (ca);
  GTlsCertificate *root = hq_ca_get_ca_certificate (ca);
  g_autoptr (GSocketConnectable) by_name = g_network_address_new ("hq.example.com", 8443);
  g_autoptr (GSocketConnectable) by_other = g_network_address_new ("evil.example.com", 8443);
  g_autoptr (GSocketConnectable) by_ip =
      G_SOCKET_CONNECTABLE (g_inet_socket_address_new_from_string ("10.0.0.5", 8443));
  g_autofree char *server_pem = NULL;
  g_autoptr (X509) server_x509 = NULL;

  ck_assert_int_eq (g_tls_certificate_verify (server, NULL, root), 0);
  ck_assert_int_eq (g_tls_certificate_verify (server, by_name, root), 0);
  ck_assert_int_eq (g_tls_certificate_verify (server, by_ip, root), 0);
  ck_assert (g_tls_certificate_verify (server, by_other, root) & G_TLS_CERTIFICATE_BAD_IDENTITY);

  /* The server certificate carries its key, serves servers only, and its
   * chain names the CA. */
  g_object_get (server, "certificate-pem", &server_pem, NULL);
  server_x509 = x509_from_pem (server_pem);
  ck_assert (X509_get_extended_key_usage (server_x509) & XKU_SSL_SERVER);
  ck_assert (!(X509_get_extended_key_usage (server_x509) & XKU_SSL_CLIENT));
  ck_assert_ptr_nonnull (g_tls_certificate_get_issuer (server));
  ck_assert (g_tls_certificate_is_same (g_tls_certificate_get_issuer (server), root));
  {
    g_autofree char *key_pem = NULL;

    g_object_get (server, "private-key-pem", &key_pem, NULL);
    ck_assert_ptr_nonnull (key_pem);
  }
}
END_TEST

/* /hq/ca/sign-client */
START_TEST (test_sign_client)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autofree char *fingerprint = NULL;
  g_autofree char *pem = sign_new_client (ca, "S001-01", &fingerprint);
  g_autoptr (X509) cert = x509_from_pem (pem);
  g_autofree char *cn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_autofree char *tls_fingerprint = NULL;
  int              days = 0, seconds = 0;

  ck_assert_ptr_nonnull (cert);
  cn = subject_cn (cert);
  ck_assert_str_eq (cn, "S001-01");
  ck_assert (X509_get_extended_key_usage (cert) & XKU_SSL_CLIENT);
  ck_assert (!(X509_get_extended_key_usage (cert) & XKU_SSL_SERVER));
  ck_assert (ASN1_TIME_diff (&days, &seconds, NULL, X509_get0_notAfter (cert)));
  ck_assert_int_ge (days, 824);
  ck_assert_int_le (days, 825);

  ck_assert_msg (tls != NULL, "%s", error ? error->message : "");
  tls_fingerprint = hq_ca_fingerprint (tls);
  ck_assert_uint_eq (strlen (fingerprint), 64);
  ck_assert_str_eq (tls_fingerprint, fingerprint);
  ck_assert_msg (hq_ca_check_client (ca, tls, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (g_tls_certificate_verify (tls, NULL, hq_ca_get_ca_certificate (ca)), 0);

  /* Two certificates never share a serial. */
  {
    g_autofree char *second_pem = sign_new_client (ca, "S001-01", NULL);
    g_autoptr (X509) second = x509_from_pem (second_pem);

    ck_assert_int_ne (
        ASN1_INTEGER_cmp (X509_get0_serialNumber (cert), X509_get0_serialNumber (second)), 0);
  }
}
END_TEST

/* /hq/ca/csr-refused */
START_TEST (test_csr_refused)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autoptr (EVP_PKEY) claimed = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (EVP_PKEY) other = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autofree char *forged = make_csr (claimed, other);
  g_autoptr (GError) error = NULL;
  char *fingerprint = NULL;
  char *pem;

  /* A request for a key its sender does not hold. */
  pem = hq_ca_sign_client (ca, forged, "S001-01", 825, &fingerprint, &error);
  ck_assert_ptr_null (pem);
  ck_assert_ptr_null (fingerprint);
  ck_assert (g_error_matches (error, HQ_CA_ERROR, HQ_CA_ERROR_CSR));
  g_clear_error (&error);

  pem = hq_ca_sign_client (ca, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n", "S001-01", 825, NULL,
                           &error);
  ck_assert_ptr_null (pem);
  ck_assert (g_error_matches (error, HQ_CA_ERROR, HQ_CA_ERROR_CSR));
  ck_assert_int_eq (ERR_peek_error (), 0);
}
END_TEST

/* /hq/ca/foreign-client */
START_TEST (test_foreign_client)
{
  g_autofree char *other_dir = g_build_filename (scratch, "other-ca", NULL);
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autoptr (HqCa) other = open_ca (other_dir, NULL);
  g_autofree char *pem = sign_new_client (other, "S001-01", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = g_tls_certificate_new_from_pem (pem, -1, &error);

  ck_assert_str_ne (hq_ca_get_pin (ca), hq_ca_get_pin (other));
  ck_assert_ptr_nonnull (tls);
  ck_assert (!hq_ca_check_client (ca, tls, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  ck_assert (hq_ca_check_client (other, tls, &error));

  /* HQ's own server certificate is from the right CA but is no till's. */
  ck_assert (!hq_ca_check_client (ca, hq_ca_get_server_certificate (ca), &error));
  ck_assert_ptr_nonnull (error);
}
END_TEST

/* /hq/ca/expired-client */
START_TEST (test_expired_client)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autofree char *ca_key_path = g_build_filename (ca_dir, "ca.key", NULL);
  g_autoptr (BIO) key_file = BIO_new_file (ca_key_path, "r");
  g_autoptr (EVP_PKEY) ca_key = PEM_read_bio_PrivateKey (key_file, NULL, NULL, NULL);
  g_autofree char *ca_pem = hq_ca_dup_ca_pem (ca);
  g_autoptr (X509) ca_cert = x509_from_pem (ca_pem);
  g_autofree char *pem = sign_new_client (ca, "S001-01", NULL);
  g_autoptr (X509) cert = x509_from_pem (pem);
  g_autoptr (BIO) out = BIO_new (BIO_s_mem ());
  g_autofree char *expired_pem = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) tls = NULL;

  /* The same certificate, re-dated to have ended yesterday and re-signed by
   * the real CA key: only its dates are wrong. */
  ck_assert_ptr_nonnull (ca_key);
  ck_assert (X509_gmtime_adj (X509_getm_notBefore (cert), -10 * 86400) != NULL);
  ck_assert (X509_gmtime_adj (X509_getm_notAfter (cert), -86400) != NULL);
  ck_assert (X509_sign (cert, ca_key, EVP_sha256 ()) > 0);
  ck_assert_int_eq (X509_verify (cert, X509_get0_pubkey (ca_cert)), 1);
  ck_assert (PEM_write_bio_X509 (out, cert) == 1);
  expired_pem = bio_text (out);
  tls = g_tls_certificate_new_from_pem (expired_pem, -1, &error);
  ck_assert_ptr_nonnull (tls);
  ck_assert (!hq_ca_check_client (ca, tls, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, "expired"));
}
END_TEST

/* /hq/ca/countersign */
START_TEST (test_countersign)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autoptr (GBytes) message = till_wire_countersig_message ("S001-01", 2, 57, 123,
                                                             "00112233445566778899aabbccddeeff"
                                                             "00112233445566778899aabbccddeeff");
  g_autoptr (GBytes) other = till_wire_countersig_message ("S001-01", 2, 58, 123,
                                                           "00112233445566778899aabbccddeeff"
                                                           "00112233445566778899aabbccddeeff");
  g_autofree char *signature = hq_ca_countersign (ca, message);
  g_autoptr (GError) error = NULL;

  ck_assert_ptr_nonnull (signature);
  ck_assert_msg (
      till_wire_verify_ed25519 (hq_ca_get_ack_public_key (ca), message, signature, &error), "%s",
      error ? error->message : "");
  ck_assert (!till_wire_verify_ed25519 (hq_ca_get_ack_public_key (ca), other, signature, &error));
  ck_assert_ptr_nonnull (error);
}
END_TEST

/* /hq/ca/key-mode */
START_TEST (test_key_mode)
{
  g_autoptr (HqCa) ca = open_ca (ca_dir, NULL);
  g_autofree char *key_path = g_build_filename (ca_dir, "ca.key", NULL);
  g_autofree char *pem_path = g_build_filename (ca_dir, "ca.pem", NULL);
  g_autoptr (GError) error = NULL;
  HqCa *reopened;

  g_clear_object (&ca);
  /* A CA key others can read is refused rather than used. */
  ck_assert_int_eq (g_chmod (key_path, 0644), 0);
  reopened = hq_ca_open (ca_dir, NULL, &error);
  ck_assert_ptr_null (reopened);
  ck_assert_ptr_nonnull (strstr (error->message, "0600"));
  g_clear_error (&error);

  /* A CA certificate without its key is not silently replaced. */
  ck_assert_int_eq (g_chmod (key_path, 0600), 0);
  ck_assert_int_eq (g_unlink (pem_path), 0);
  reopened = hq_ca_open (ca_dir, NULL, &error);
  ck_assert_ptr_null (reopened);
  ck_assert_ptr_nonnull (error);
}
END_TEST

static Suite *
hq_ca_suite (void)
{
  Suite *suite = suite_create ("hq-ca");
  TCase *tc = tcase_create ("/hq/ca");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_open_creates);
  tcase_add_test (tc, test_reopen_keeps);
  tcase_add_test (tc, test_server_names);
  tcase_add_test (tc, test_sign_client);
  tcase_add_test (tc, test_csr_refused);
  tcase_add_test (tc, test_foreign_client);
  tcase_add_test (tc, test_expired_client);
  tcase_add_test (tc, test_countersign);
  tcase_add_test (tc, test_key_mode);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (hq_ca_suite ());
}
