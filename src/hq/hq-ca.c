/* hq-ca.c: HQ's certificate authority, its TLS certificate and its ack key (OpenSSL 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hq-ca"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hq-ca.h"

#define CA_VALID_DAYS (10 * 365)
#define SERVER_VALID_DAYS 825
/* A server certificate this close to its end is made anew at the next start. */
#define SERVER_RENEW_DAYS 30
/* Certificates start an hour in the past: a till whose clock runs a little
 * behind HQ's must still accept a certificate made a moment ago. */
#define BACKDATE_SECONDS (60 * 60)
#define SERIAL_BYTES 16
#define PIN_HEX_DIGITS 32
#define ED25519_KEY_LEN 32

struct _HqCa
{
  GObject parent_instance;

  char            *dir;
  X509            *ca_cert;
  EVP_PKEY        *ca_key;
  EVP_PKEY        *ack_key;
  char            *ca_pem;
  char             pin[PIN_HEX_DIGITS + 1];
  char            *ack_public_key_b64;
  GTlsCertificate *server_certificate;
  GTlsCertificate *ca_certificate;
};

G_DEFINE_FINAL_TYPE (HqCa, hq_ca, G_TYPE_OBJECT)

G_DEFINE_QUARK (hq_ca_error_quark, hq_ca_error)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_EXTENSION, X509_EXTENSION_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GENERAL_NAMES, GENERAL_NAMES_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIGNUM, BN_free)

/* OpenSSL keeps its reasons on a per-thread queue: take the newest for the
 * message and drop the rest so they do not surface in a later call. */
static char *
take_openssl_reason (void)
{
  unsigned long code = ERR_peek_last_error ();
  char          buffer[256];

  ERR_clear_error ();
  if (code == 0)
    return g_strdup ("unknown OpenSSL error");
  ERR_error_string_n (code, buffer, sizeof buffer);
  return g_strdup (buffer);
}

static void
set_openssl_error (GError **error, int code, const char *what)
{
  g_autofree char *reason = take_openssl_reason ();

  g_set_error (error, HQ_CA_ERROR, code, "%s: %s", what, reason);
}

static char *
bio_steal_text (BIO *bio)
{
  const char *data = NULL;
  long        len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, (gsize) len);
}

static char *
key_to_pem (EVP_PKEY *key)
{
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  if (bio == NULL || PEM_write_bio_PKCS8PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) != 1)
    return NULL;
  return bio_steal_text (bio);
}

static char *
cert_to_pem (X509 *cert)
{
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  if (bio == NULL || PEM_write_bio_X509 (bio, cert) != 1)
    return NULL;
  return bio_steal_text (bio);
}

static X509 *
cert_from_pem (const char *pem)
{
  g_autoptr (BIO) bio = BIO_new_mem_buf (pem, -1);

  return bio != NULL ? PEM_read_bio_X509 (bio, NULL, NULL, NULL) : NULL;
}

static char *
hex_sha256 (const guint8 *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

/* Writes a file so that no reader ever sees it half-written; keys are 0600
 * from the first byte on. */
static gboolean
write_file (const char *dir, const char *name, const char *text, int mode, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode, error);
}

/* Reads a file of the directory; FALSE without an error when it is missing. */
static gboolean
read_file (const char *dir, const char *name, char **out_text, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) local_error = NULL;

  *out_text = NULL;
  if (g_file_get_contents (path, out_text, NULL, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static EVP_PKEY *
load_key (const char *dir, const char *name, const char *type, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (BIO) bio = NULL;
  g_autoptr (EVP_PKEY) key = NULL;
  GStatBuf st;

  if (!read_file (dir, name, &text, error))
    return NULL;
  /* A CA key others can read lets them mint tills. */
  if (g_stat (path, &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("The key file %s can be read by other users (mode %04o); it must be 0600"),
                   path, (unsigned) (st.st_mode & 07777));
      return NULL;
    }
  bio = BIO_new_mem_buf (text, -1);
  if (bio != NULL)
    key = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
  if (key == NULL || !EVP_PKEY_is_a (key, type))
    {
      g_autofree char *reason = take_openssl_reason ();

      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("The key file %s does not hold an %s private key: %s"), path, type, reason);
      return NULL;
    }
  return g_steal_pointer (&key);
}

static gboolean
set_random_serial (X509 *cert)
{
  guint8 bytes[SERIAL_BYTES];
  g_autoptr (BIGNUM) serial = NULL;

  if (RAND_bytes (bytes, sizeof bytes) != 1)
    return FALSE;
  /* Positive, and never zero: RFC 5280 wants a positive serial. */
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  serial = BN_bin2bn (bytes, sizeof bytes, NULL);
  return serial != NULL && BN_to_ASN1_INTEGER (serial, X509_get_serialNumber (cert)) != NULL;
}

static gboolean
add_conf_extension (X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
  g_autoptr (X509_EXTENSION) ext = X509V3_EXT_conf_nid (NULL, ctx, nid, value);

  return ext != NULL && X509_add_ext (cert, ext, -1) == 1;
}

static gboolean add_subject_alt_names (X509 *cert, char **names);

/* A certificate for @subject_key, named CN=@common_name, valid @days from
 * now, with the given extensions (pairs of NID and OpenSSL config text,
 * ending with NID_undef) and @alt_names (NULL for none) as subjectAltName,
 * signed by @issuer_key as @issuer (NULL: self-signed). */
static X509 *
make_certificate (EVP_PKEY          *subject_key,
                  const char        *common_name,
                  guint              days,
                  X509              *issuer,
                  EVP_PKEY          *issuer_key,
                  const int         *ext_nids,
                  const char *const *ext_values,
                  char             **alt_names)
{
  g_autoptr (X509) cert = X509_new ();
  X509_NAME *name;
  X509V3_CTX ctx;

  if (cert == NULL || X509_set_version (cert, X509_VERSION_3) != 1 || !set_random_serial (cert))
    return NULL;
  if (X509_gmtime_adj (X509_getm_notBefore (cert), -BACKDATE_SECONDS) == NULL ||
      X509_time_adj_ex (X509_getm_notAfter (cert), (int) days, 0, NULL) == NULL)
    return NULL;
  name = X509_get_subject_name (cert);
  if (X509_NAME_add_entry_by_txt (name, "O", MBSTRING_UTF8, (const guchar *) "opentill HQ", -1, -1,
                                  0) != 1 ||
      X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const guchar *) common_name, -1, -1,
                                  0) != 1)
    return NULL;
  if (X509_set_issuer_name (cert, issuer != NULL ? X509_get_subject_name (issuer) : name) != 1 ||
      X509_set_pubkey (cert, subject_key) != 1)
    return NULL;

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
  for (guint i = 0; ext_nids[i] != NID_undef; i++)
    if (!add_conf_extension (cert, &ctx, ext_nids[i], ext_values[i]))
      return NULL;
  if (alt_names != NULL && !add_subject_alt_names (cert, alt_names))
    return NULL;

  if (X509_sign (cert, issuer_key, EVP_sha256 ()) == 0)
    return NULL;
  return g_steal_pointer (&cert);
}

static gboolean
make_ca (HqCa *self, GError **error)
{
  static const int nids[] = { NID_basic_constraints, NID_key_usage, NID_subject_key_identifier,
                              NID_undef };
  static const char *const values[] = { "critical,CA:TRUE,pathlen:0",
                                        "critical,keyCertSign,cRLSign", "hash", NULL };
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (X509) cert = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *cn = NULL;

  if (key == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot make the CA's key"));
      return FALSE;
    }
  cn = g_strdup_printf ("opentill HQ CA %s", g_get_host_name ());
  cert = make_certificate (key, cn, CA_VALID_DAYS, NULL, key, nids, values, NULL);
  if (cert == NULL || (key_pem = key_to_pem (key)) == NULL ||
      (cert_pem = cert_to_pem (cert)) == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot make the CA's certificate"));
      return FALSE;
    }
  /* The key first: a certificate without its key would be a dead CA. */
  if (!write_file (self->dir, "ca.key", key_pem, 0600, error) ||
      !write_file (self->dir, "ca.pem", cert_pem, 0644, error))
    return FALSE;
  g_message ("Made a new certificate authority in %s", self->dir);
  self->ca_key = g_steal_pointer (&key);
  self->ca_cert = g_steal_pointer (&cert);
  return TRUE;
}

static gboolean
load_or_make_ca (HqCa *self, GError **error)
{
  g_autofree char *cert_pem = NULL;
  g_autoptr (GError) local_error = NULL;

  self->ca_key = load_key (self->dir, "ca.key", "EC", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!read_file (self->dir, "ca.pem", &cert_pem, &local_error))
    {
      /* Only a missing file means "no CA yet"; an unreadable one is an error. */
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (self->ca_key != NULL)
        {
          /* Making a new CA here would silently cut off every enrolled till. */
          g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                       _ ("%s/ca.key exists but ca.pem is missing: restore ca.pem from a backup"),
                       self->dir);
          return FALSE;
        }
      return make_ca (self, error);
    }
  if (self->ca_key == NULL)
    {
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("%s/ca.pem exists but ca.key is missing: restore ca.key from a backup"),
                   self->dir);
      return FALSE;
    }
  self->ca_cert = cert_from_pem (cert_pem);
  if (self->ca_cert == NULL || X509_check_private_key (self->ca_cert, self->ca_key) != 1)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("ca.pem is not a certificate for ca.key"));
      return FALSE;
    }
  return TRUE;
}

static int
compare_strings_cb (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names as they appear in a certificate: IP addresses in canonical
 * form, DNS names in lower case, each once, in the order given (the first
 * is the certificate's CN). */
static char **
normalize_names (const char *const *hostnames)
{
  static const char *const defaults[] = { "localhost", "127.0.0.1", NULL };
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  if (hostnames == NULL || hostnames[0] == NULL)
    hostnames = defaults;
  for (guint i = 0; hostnames[i] != NULL; i++)
    {
      g_autoptr (GInetAddress) address = g_inet_address_new_from_string (hostnames[i]);
      char *name =
          address != NULL ? g_inet_address_to_string (address) : g_ascii_strdown (hostnames[i], -1);

      if (g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_free (name);
      else
        g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

/* The DNS and IP names of a certificate's subjectAltName, sorted. */
static char **
certificate_names (X509 *cert)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GENERAL_NAMES *gens = X509_get_ext_d2i (cert, NID_subject_alt_name, NULL, NULL);

  for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num (gens); i++)
    {
      const GENERAL_NAME *gen = sk_GENERAL_NAME_value (gens, i);

      if (gen->type == GEN_DNS)
        g_ptr_array_add (names,
                         g_ascii_strdown ((const char *) ASN1_STRING_get0_data (gen->d.dNSName),
                                          ASN1_STRING_length (gen->d.dNSName)));
      else if (gen->type == GEN_IPADD)
        {
          int           len = ASN1_STRING_length (gen->d.iPAddress);
          GSocketFamily family = len == 4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6;
          g_autoptr (GInetAddress) address = NULL;

          if (len == 4 || len == 16)
            address =
                g_inet_address_new_from_bytes (ASN1_STRING_get0_data (gen->d.iPAddress), family);
          if (address != NULL)
            g_ptr_array_add (names, g_inet_address_to_string (address));
        }
    }
  GENERAL_NAMES_free (gens);
  g_ptr_array_sort (names, compare_strings_cb);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

static gboolean
add_subject_alt_names (X509 *cert, char **names)
{
  g_autoptr (GENERAL_NAMES) gens = GENERAL_NAMES_new ();

  if (gens == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      GENERAL_NAME      *gen = GENERAL_NAME_new ();
      ASN1_OCTET_STRING *ip = a2i_IPADDRESS (names[i]);

      if (gen == NULL)
        {
          ASN1_OCTET_STRING_free (ip);
          return FALSE;
        }
      if (ip != NULL)
        GENERAL_NAME_set0_value (gen, GEN_IPADD, ip);
      else
        {
          ASN1_IA5STRING *dns = ASN1_IA5STRING_new ();

          if (dns == NULL || ASN1_STRING_set (dns, names[i], -1) != 1)
            {
              ASN1_IA5STRING_free (dns);
              GENERAL_NAME_free (gen);
              return FALSE;
            }
          GENERAL_NAME_set0_value (gen, GEN_DNS, dns);
        }
      if (sk_GENERAL_NAME_push (gens, gen) <= 0)
        {
          GENERAL_NAME_free (gen);
          return FALSE;
        }
    }
  return X509_add1_ext_i2d (cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
}

static gboolean
server_certificate_is_current (HqCa *self, X509 *cert, EVP_PKEY *key, char **names)
{
  g_auto (GStrv) cert_names = NULL;
  EVP_PKEY *ca_public = X509_get0_pubkey (self->ca_cert);
  time_t    renew_after = time (NULL) + (time_t) SERVER_RENEW_DAYS * 24 * 60 * 60;

  if (X509_check_private_key (cert, key) != 1 || X509_verify (cert, ca_public) != 1)
    return FALSE;
  if (X509_cmp_time (X509_get0_notAfter (cert), &renew_after) <= 0)
    return FALSE;
  cert_names = certificate_names (cert);
  ERR_clear_error ();
  {
    g_autoptr (GPtrArray) wanted = g_ptr_array_new ();

    for (guint i = 0; names[i] != NULL; i++)
      g_ptr_array_add (wanted, names[i]);
    g_ptr_array_sort (wanted, compare_strings_cb);
    g_ptr_array_add (wanted, NULL);
    return g_strv_equal ((const char *const *) cert_names, (const char *const *) wanted->pdata);
  }
}

static gboolean
make_server_certificate (HqCa *self, char **names, GError **error)
{
  static const int nids[] = {
    NID_basic_constraints,        NID_key_usage, NID_ext_key_usage, NID_subject_key_identifier,
    NID_authority_key_identifier, NID_undef
  };
  static const char *const values[] = { "critical,CA:FALSE", "critical,digitalSignature",
                                        "serverAuth",        "hash",
                                        "keyid:always",      NULL };
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (X509) cert = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *cert_pem = NULL;

  if (key == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot make the server's key"));
      return FALSE;
    }
  cert = make_certificate (key, names[0], SERVER_VALID_DAYS, self->ca_cert, self->ca_key, nids,
                           values, names);
  if (cert == NULL || (key_pem = key_to_pem (key)) == NULL ||
      (cert_pem = cert_to_pem (cert)) == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot make the server's certificate"));
      return FALSE;
    }
  if (!write_file (self->dir, "server.key", key_pem, 0600, error) ||
      !write_file (self->dir, "server.pem", cert_pem, 0644, error))
    return FALSE;
  g_message ("Made a new server certificate for %s", names[0]);
  return TRUE;
}

/* Loads server.pem and server.key, making them anew when they are missing,
 * not from this CA, about to expire or for other names; then builds the
 * GTlsCertificate with the CA in its chain. */
static gboolean
load_or_make_server_certificate (HqCa *self, const char *const *hostnames, GError **error)
{
  g_auto (GStrv) names = normalize_names (hostnames);
  g_autofree char *cert_pem = NULL;
  g_autofree char *chain_pem = NULL;
  g_autoptr (X509) cert = NULL;
  g_autoptr (EVP_PKEY) key = NULL;
  g_autoptr (GError) local_error = NULL;
  gboolean current = FALSE;

  key = load_key (self->dir, "server.key", "EC", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!read_file (self->dir, "server.pem", &cert_pem, &local_error) && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (key != NULL && cert_pem != NULL && (cert = cert_from_pem (cert_pem)) != NULL)
    current = server_certificate_is_current (self, cert, key, names);
  ERR_clear_error ();
  if (!current)
    {
      g_clear_pointer (&key, EVP_PKEY_free);
      g_clear_pointer (&cert_pem, g_free);
      if (!make_server_certificate (self, names, error) ||
          !read_file (self->dir, "server.pem", &cert_pem, error))
        return FALSE;
    }

  {
    g_autofree char *key_pem = NULL;

    if (!read_file (self->dir, "server.key", &key_pem, error))
      return FALSE;
    chain_pem = g_strconcat (cert_pem, self->ca_pem, key_pem, NULL);
    self->server_certificate = g_tls_certificate_new_from_pem (chain_pem, -1, error);
    memset (chain_pem, 0, strlen (chain_pem));
    memset (key_pem, 0, strlen (key_pem));
  }
  return self->server_certificate != NULL;
}

static gboolean
load_or_make_ack_key (HqCa *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  guint8 raw[ED25519_KEY_LEN];
  size_t raw_len = sizeof raw;

  self->ack_key = load_key (self->dir, "ack.key", "ED25519", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (self->ack_key == NULL)
    {
      g_autofree char *pem = NULL;

      self->ack_key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
      if (self->ack_key == NULL || (pem = key_to_pem (self->ack_key)) == NULL)
        {
          set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot make HQ's ack key"));
          return FALSE;
        }
      if (!write_file (self->dir, "ack.key", pem, 0600, error))
        return FALSE;
    }
  if (EVP_PKEY_get_raw_public_key (self->ack_key, raw, &raw_len) != 1 || raw_len != sizeof raw)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot read HQ's ack public key"));
      return FALSE;
    }
  self->ack_public_key_b64 = g_base64_encode (raw, raw_len);
  return TRUE;
}

static gboolean
compute_ca_forms (HqCa *self, GError **error)
{
  guint8          *der = NULL;
  int              der_len = i2d_X509 (self->ca_cert, &der);
  g_autofree char *hex = NULL;

  if (der_len <= 0)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot encode the CA certificate"));
      return FALSE;
    }
  hex = hex_sha256 (der, (gsize) der_len);
  OPENSSL_free (der);
  g_strlcpy (self->pin, hex, sizeof self->pin);

  self->ca_pem = cert_to_pem (self->ca_cert);
  if (self->ca_pem == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot encode the CA certificate"));
      return FALSE;
    }
  self->ca_certificate = g_tls_certificate_new_from_pem (self->ca_pem, -1, error);
  return self->ca_certificate != NULL;
}

/* The OpenSSL form of a GTlsCertificate, through its DER. */
static X509 *
x509_of (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  const guint8 *p;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  p = der->data;
  return d2i_X509 (NULL, &p, der->len);
}

static void
hq_ca_finalize (GObject *object)
{
  HqCa *self = HQ_CA (object);

  g_clear_pointer (&self->ca_cert, X509_free);
  g_clear_pointer (&self->ca_key, EVP_PKEY_free);
  g_clear_pointer (&self->ack_key, EVP_PKEY_free);
  g_clear_object (&self->server_certificate);
  g_clear_object (&self->ca_certificate);
  g_free (self->ca_pem);
  g_free (self->ack_public_key_b64);
  g_free (self->dir);

  G_OBJECT_CLASS (hq_ca_parent_class)->finalize (object);
}

static void
hq_ca_class_init (HqCaClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hq_ca_finalize;
}

static void
hq_ca_init (HqCa *self)
{
}

/**
 * hq_ca_open:
 * @dir: the CA directory (created 0700 when missing)
 * @hostnames: (nullable): the names the server certificate carries
 *
 * Loads HQ's CA, server certificate and ack key, making what is missing.
 */
HqCa *
hq_ca_open (const char *dir, const char *const *hostnames, GError **error)
{
  g_autoptr (HqCa) self = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _ ("Cannot create the CA directory %s: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  self = g_object_new (HQ_TYPE_CA, NULL);
  self->dir = g_strdup (dir);
  if (!load_or_make_ca (self, error) || !compute_ca_forms (self, error) ||
      !load_or_make_server_certificate (self, hostnames, error) ||
      !load_or_make_ack_key (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * hq_ca_get_server_certificate:
 *
 * Returns: (transfer none): the server certificate, key and chain.
 */
GTlsCertificate *
hq_ca_get_server_certificate (HqCa *self)
{
  g_return_val_if_fail (HQ_IS_CA (self), NULL);

  return self->server_certificate;
}

/**
 * hq_ca_get_ca_certificate:
 *
 * Returns: (transfer none): the CA certificate.
 */
GTlsCertificate *
hq_ca_get_ca_certificate (HqCa *self)
{
  g_return_val_if_fail (HQ_IS_CA (self), NULL);

  return self->ca_certificate;
}

/**
 * hq_ca_dup_ca_pem:
 *
 * Returns: (transfer full): the CA certificate in PEM.
 */
char *
hq_ca_dup_ca_pem (HqCa *self)
{
  g_return_val_if_fail (HQ_IS_CA (self), NULL);

  return g_strdup (self->ca_pem);
}

/**
 * hq_ca_get_pin:
 *
 * Returns: the first 32 hex digits of SHA-256 over the CA's DER.
 */
const char *
hq_ca_get_pin (HqCa *self)
{
  g_return_val_if_fail (HQ_IS_CA (self), NULL);

  return self->pin;
}

/**
 * hq_ca_sign_client:
 * @csr_pem: the till's PKCS#10 request
 * @till_id: the CN the certificate carries
 * @valid_days: how long it is valid
 * @out_fingerprint: (out) (optional): SHA-256 of the certificate's DER, hex
 *
 * Returns: (transfer full): the client certificate in PEM.
 */
char *
hq_ca_sign_client (HqCa       *self,
                   const char *csr_pem,
                   const char *till_id,
                   guint       valid_days,
                   char      **out_fingerprint,
                   GError    **error)
{
  static const int nids[] = {
    NID_basic_constraints,        NID_key_usage, NID_ext_key_usage, NID_subject_key_identifier,
    NID_authority_key_identifier, NID_undef
  };
  static const char *const values[] = { "critical,CA:FALSE", "critical,digitalSignature",
                                        "clientAuth",        "hash",
                                        "keyid:always",      NULL };
  g_autoptr (BIO) bio = NULL;
  g_autoptr (X509_REQ) request = NULL;
  g_autoptr (X509) cert = NULL;
  g_autofree char *pem = NULL;
  EVP_PKEY        *public_key;
  guint8          *der = NULL;
  int              der_len;

  g_return_val_if_fail (HQ_IS_CA (self), NULL);
  g_return_val_if_fail (csr_pem != NULL, NULL);
  g_return_val_if_fail (till_id != NULL && *till_id != '\0', NULL);
  g_return_val_if_fail (valid_days > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bio = BIO_new_mem_buf (csr_pem, -1);
  if (bio != NULL)
    request = PEM_read_bio_X509_REQ (bio, NULL, NULL, NULL);
  if (request == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_CSR, _ ("The certificate request is not a PEM CSR"));
      return NULL;
    }
  public_key = X509_REQ_get0_pubkey (request);
  /* The signature proves the till holds the key it asks a certificate for. */
  if (public_key == NULL || X509_REQ_verify (request, public_key) != 1)
    {
      set_openssl_error (error, HQ_CA_ERROR_CSR,
                         _ ("The certificate request's signature does not verify"));
      return NULL;
    }
  if (EVP_PKEY_get_security_bits (public_key) < 112)
    {
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_CSR,
                   _ ("The certificate request's %s key is too weak (%d bits of security)"),
                   EVP_PKEY_get0_type_name (public_key), EVP_PKEY_get_security_bits (public_key));
      return NULL;
    }

  /* Only the key comes from the request: the name and the uses are HQ's. */
  cert = make_certificate (public_key, till_id, valid_days, self->ca_cert, self->ca_key, nids,
                           values, NULL);
  if (cert == NULL || (pem = cert_to_pem (cert)) == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot sign the till's certificate"));
      return NULL;
    }
  if (out_fingerprint != NULL)
    {
      der_len = i2d_X509 (cert, &der);
      if (der_len <= 0)
        {
          set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("Cannot encode the till's certificate"));
          return NULL;
        }
      *out_fingerprint = hex_sha256 (der, (gsize) der_len);
      OPENSSL_free (der);
    }
  return g_steal_pointer (&pem);
}

/**
 * hq_ca_check_client:
 * @certificate: a certificate a client showed
 *
 * Returns: TRUE when this CA issued @certificate for client use and it is
 * valid now.
 */
gboolean
hq_ca_check_client (HqCa *self, GTlsCertificate *certificate, GError **error)
{
  g_autoptr (X509) cert = NULL;

  g_return_val_if_fail (HQ_IS_CA (self), FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  cert = x509_of (certificate);
  if (cert == NULL)
    {
      set_openssl_error (error, HQ_CA_ERROR_FAILED, _ ("The client certificate cannot be read"));
      return FALSE;
    }
  if (X509_check_issued (self->ca_cert, cert) != X509_V_OK ||
      X509_verify (cert, X509_get0_pubkey (self->ca_cert)) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("The client certificate was not issued by this HQ: enroll the till again"));
      return FALSE;
    }
  if (X509_cmp_time (X509_get0_notBefore (cert), NULL) >= 0 ||
      X509_cmp_time (X509_get0_notAfter (cert), NULL) <= 0)
    {
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("The client certificate is expired or not yet valid: enroll the till "
                      "again, or check its clock"));
      return FALSE;
    }
  /* HQ's own server certificate is from the same CA: it must not log in as a till. */
  if (X509_check_purpose (cert, X509_PURPOSE_SSL_CLIENT, 0) != 1 ||
      (X509_get_extension_flags (cert) & EXFLAG_XKUSAGE) == 0 ||
      (X509_get_extended_key_usage (cert) & XKU_SSL_CLIENT) == 0)
    {
      ERR_clear_error ();
      g_set_error (error, HQ_CA_ERROR, HQ_CA_ERROR_FAILED,
                   _ ("The certificate is not a till's client certificate"));
      return FALSE;
    }
  return TRUE;
}

/**
 * hq_ca_fingerprint:
 *
 * Returns: (transfer full): SHA-256 of @certificate's DER, hex.
 */
char *
hq_ca_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return hex_sha256 (der->data, der->len);
}

/**
 * hq_ca_countersign:
 * @data: the bytes to sign
 *
 * Returns: (transfer full): HQ's Ed25519 signature over @data, base64.
 */
char *
hq_ca_countersign (HqCa *self, GBytes *data)
{
  g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  guint8        signature[64];
  size_t        signature_len = sizeof signature;
  gsize         len = 0;
  const guint8 *bytes;

  g_return_val_if_fail (HQ_IS_CA (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  bytes = g_bytes_get_data (data, &len);
  if (ctx == NULL || EVP_DigestSignInit (ctx, NULL, NULL, NULL, self->ack_key) != 1 ||
      EVP_DigestSign (ctx, signature, &signature_len, bytes, len) != 1)
    {
      /* Ed25519 signing with a loaded key fails only when memory does. */
      g_autofree char *reason = take_openssl_reason ();

      g_warning ("Cannot countersign: %s", reason);
      return NULL;
    }
  return g_base64_encode (signature, signature_len);
}

/**
 * hq_ca_get_ack_public_key:
 *
 * Returns: HQ's Ed25519 ack key, base64 of the raw 32 bytes.
 */
const char *
hq_ca_get_ack_public_key (HqCa *self)
{
  g_return_val_if_fail (HQ_IS_CA (self), NULL);

  return self->ack_public_key_b64;
}
