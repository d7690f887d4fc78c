/* till-enroll.c: joining a till to HQ with a one-time token
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "till-enroll.h"
#include "till-sync-client.h"
#include "till-wire.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_NAME, X509_NAME_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

/* How long one enrollment request may take. */
#define ENROLL_TIMEOUT_S 30

/* X.509 limits a common name to 64 characters. */
#define CN_MAX_CHARS 64

/* What the TLS check of HQ's certificate decided, for the error message. */
typedef struct
{
  const char          *pin; /* the token's */
  GSocketConnectable  *server_identity;
  gboolean             checked;
  gboolean             pin_matches;
  GTlsCertificateFlags verify_flags;
} PinCheck;

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long  len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len);
}

static void
set_openssl_error (GError **error, const char *what)
{
  g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("%s failed (OpenSSL)"), what);
}

/* The till's client key (EC P-256) and a request for a certificate of it,
 * CN = @common_name, signed with SHA-256. */
static gboolean
make_key_and_request (const char *common_name,
                      char      **out_key_pem,
                      char      **out_csr_pem,
                      GError    **error)
{
  g_autoptr (EVP_PKEY) key = NULL;
  g_autoptr (X509_REQ) request = NULL;
  g_autoptr (X509_NAME) name = NULL;
  g_autoptr (BIO) key_bio = NULL;
  g_autoptr (BIO) csr_bio = NULL;
  g_autofree char *cn =
      g_utf8_substring (common_name, 0, MIN (g_utf8_strlen (common_name, -1), CN_MAX_CHARS));

  key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  if (key == NULL)
    {
      set_openssl_error (error, _ ("Making the till’s key"));
      return FALSE;
    }
  request = X509_REQ_new ();
  name = X509_NAME_new ();
  if (request == NULL || name == NULL ||
      !X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_UTF8, (const unsigned char *) cn, -1, -1,
                                   0) ||
      !X509_REQ_set_version (request, X509_REQ_VERSION_1) ||
      !X509_REQ_set_subject_name (request, name) || !X509_REQ_set_pubkey (request, key) ||
      X509_REQ_sign (request, key, EVP_sha256 ()) <= 0)
    {
      set_openssl_error (error, _ ("Making the certificate request"));
      return FALSE;
    }

  key_bio = BIO_new (BIO_s_mem ());
  csr_bio = BIO_new (BIO_s_mem ());
  if (key_bio == NULL || csr_bio == NULL ||
      !PEM_write_bio_PrivateKey (key_bio, key, NULL, NULL, 0, NULL, NULL) ||
      !PEM_write_bio_X509_REQ (csr_bio, request))
    {
      set_openssl_error (error, _ ("Writing the till’s key"));
      return FALSE;
    }
  *out_key_pem = bio_to_string (key_bio);
  *out_csr_pem = bio_to_string (csr_bio);
  return TRUE;
}

/* The pin of a CA certificate in PEM: the first 32 hex digits of SHA-256
 * over its DER, as in the token. */
static char *
pin_of_pem (const char *pem)
{
  g_autoptr (BIO) bio = BIO_new_mem_buf (pem, -1);
  g_autoptr (X509) certificate = NULL;
  g_autofree unsigned char *der = NULL;
  g_autofree char          *hex = NULL;
  unsigned char            *der_end;
  int                       len;

  if (bio == NULL)
    return NULL;
  certificate = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  if (certificate == NULL)
    return NULL;
  len = i2d_X509 (certificate, NULL);
  if (len <= 0)
    return NULL;
  der = g_malloc (len);
  der_end = der;
  if (i2d_X509 (certificate, &der_end) != len)
    return NULL;
  hex = till_wire_sha256_hex (der, len);
  return g_strndup (hex, 32);
}

/* TRUE when @certificate_pem is a certificate for @key_pem. */
static gboolean
certificate_matches_key (const char *certificate_pem, const char *key_pem)
{
  g_autoptr (BIO) cert_bio = BIO_new_mem_buf (certificate_pem, -1);
  g_autoptr (BIO) key_bio = BIO_new_mem_buf (key_pem, -1);
  g_autoptr (X509) certificate = NULL;
  g_autoptr (EVP_PKEY) key = NULL;

  if (cert_bio == NULL || key_bio == NULL)
    return FALSE;
  certificate = PEM_read_bio_X509 (cert_bio, NULL, NULL, NULL);
  key = PEM_read_bio_PrivateKey (key_bio, NULL, NULL, NULL);
  return certificate != NULL && key != NULL && X509_check_private_key (certificate, key) == 1;
}

/* HQ is trusted only through the CA the token names: the last certificate
 * of the chain HQ shows must hash to the pin, and HQ's own certificate must
 * verify against it for the name the till asked for. Nothing is sent before
 * this says yes. */
static gboolean
accept_certificate_cb (SoupMessage         *message,
                       GTlsCertificate     *peer,
                       GTlsCertificateFlags peer_errors,
                       gpointer             user_data)
{
  PinCheck        *check = user_data;
  GTlsCertificate *ca = peer;
  GTlsCertificate *issuer;
  g_autoptr (GByteArray) der = NULL;
  g_autofree char *hash = NULL;

  check->checked = TRUE;
  while ((issuer = g_tls_certificate_get_issuer (ca)) != NULL)
    ca = issuer;
  g_object_get (ca, "certificate", &der, NULL);
  if (der == NULL)
    return FALSE;
  hash = till_wire_sha256_hex (der->data, der->len);
  check->pin_matches = g_ascii_strncasecmp (hash, check->pin, 32) == 0 && strlen (check->pin) == 32;
  if (!check->pin_matches)
    return FALSE;
  check->verify_flags = g_tls_certificate_verify (peer, check->server_identity, ca);
  return check->verify_flags == 0;
}

static gboolean
write_file (const char *path, const char *contents, int mode, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, mode,
                                 &local_error))
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("Cannot write %s: %s"), path,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

static GBytes *
enroll_request_body (const char *secret,
                     const char *csr_pem,
                     const char *journal_key,
                     const char *hostname)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize length = 0;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, secret);
  json_builder_set_member_name (builder, "csr");
  json_builder_add_string_value (builder, csr_pem);
  json_builder_set_member_name (builder, "journal_key");
  json_builder_add_string_value (builder, journal_key);
  json_builder_set_member_name (builder, "hostname");
  json_builder_add_string_value (builder, hostname);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  return g_bytes_new_take (text, length);
}

/* A string member of HQ's reply, or NULL with an error naming it. */
static const char *
reply_string (JsonObject *reply, const char *member, GError **error)
{
  JsonNode *node = json_object_get_member (reply, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s enrollment reply has no “%s”"), member);
      return NULL;
    }
  return json_node_get_string (node);
}

/* Posts the enrollment; returns HQ's reply object. */
static JsonObject *
post_enrollment (const char *url, const char *pin, GBytes *request_body, GError **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *hq_message = NULL;
  PinCheck         check = { .pin = pin };
  JsonNode        *root;
  guint            status;
  int              port;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("“%s” is not the https URL of HQ (for example https://hq.example.com:8443)"),
                   url);
      return NULL;
    }
  port = g_uri_get_port (uri);
  check.server_identity = g_network_address_new (g_uri_get_host (uri), port > 0 ? port : 443);

  endpoint = g_strconcat (url, g_str_has_suffix (url, "/") ? "" : "/", "v1/enroll", NULL);
  message = soup_message_new (SOUP_METHOD_POST, endpoint);
  if (message == NULL)
    {
      g_clear_object (&check.server_identity);
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("“%s” is not a valid URL"),
                   endpoint);
      return NULL;
    }
  soup_message_set_request_body_from_bytes (message, "application/json", request_body);
  g_signal_connect (message, "accept-certificate", G_CALLBACK (accept_certificate_cb), &check);

  /* No CA database at all: every certificate then goes through
   * accept_certificate_cb and its pin, even one a public CA signed. No proxy
   * from the environment either. */
  session = soup_session_new_with_options ("timeout", ENROLL_TIMEOUT_S, "user-agent",
                                           "opentill/" PACKAGE_VERSION, NULL);
  soup_session_set_proxy_resolver (session, NULL);
  soup_session_set_tls_database (session, NULL);

  reply = soup_session_send_and_read (session, message, NULL, &local_error);
  g_clear_object (&check.server_identity);
  if (reply == NULL)
    {
      if (check.checked && !check.pin_matches)
        g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS,
                     _ ("HQ’s certificate does not match the token: check the URL, or ask HQ for "
                        "a new token"));
      else if (check.checked && check.verify_flags != 0)
        g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS,
                     _ ("HQ’s certificate is not valid for %s (flags 0x%x): check the URL"), url,
                     (guint) check.verify_flags);
      else if (g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS,
                     _ ("HQ’s certificate was refused: %s"), local_error->message);
      else
        g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_OFFLINE,
                     _ ("HQ cannot be reached at %s: %s"), url, local_error->message);
      return NULL;
    }

  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      hq_message = till_wire_error_decode (reply);
      if (status == SOUP_STATUS_FORBIDDEN || status == SOUP_STATUS_UNAUTHORIZED ||
          status == SOUP_STATUS_BAD_REQUEST)
        g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_REFUSED,
                     _ ("HQ refused the enrollment: %s"),
                     hq_message != NULL ? hq_message : soup_status_get_phrase (status));
      else
        g_set_error (error, TILL_SYNC_ERROR,
                     status >= 500 ? TILL_SYNC_ERROR_SERVER : TILL_SYNC_ERROR_PROTOCOL,
                     _ ("HQ answered %u %s%s%s"), status, soup_status_get_phrase (status),
                     hq_message != NULL ? ": " : "", hq_message != NULL ? hq_message : "");
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   (gssize) g_bytes_get_size (reply), &local_error))
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s enrollment reply cannot be read: %s"), local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s enrollment reply is not a JSON object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/**
 * till_enroll:
 *
 * Joins the till to HQ with @token ("<secret>.<pin>" as opentill-hq printed
 * it): see till-enroll.h. Returns the saved identity. Errors, in
 * TILL_SYNC_ERROR: FAILED (a malformed token or URL, files), OFFLINE (HQ
 * cannot be reached), TLS (HQ's certificate is not the token's), REFUSED
 * (HQ refused the token, with its reason), PROTOCOL/SERVER.
 */
TillSyncIdentity *
till_enroll (TillStore   *store,
             TillJournal *journal,
             const char  *url,
             const char  *token,
             const char  *dir,
             GError     **error)
{
  g_autofree char *secret = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *abs_dir = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *new_key_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *ca_path = NULL;
  g_autofree char *key_pem = NULL;
  g_autofree char *csr_pem = NULL;
  g_autofree char *journal_key = NULL;
  g_autofree char *reply_ca_pin = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *hostname;
  const char *till_id, *store_id, *certificate, *ca, *hq_key;
  gint64      epoch;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!till_wire_token_split (token, &secret, &pin, &local_error))
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("The enrollment token is not valid: %s"), local_error->message);
      return NULL;
    }

  abs_dir = g_canonicalize_filename (dir, NULL);
  if (g_mkdir_with_parents (abs_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("Cannot create the directory %s: %s"), abs_dir, g_strerror (saved_errno));
      return NULL;
    }
  key_path = g_build_filename (abs_dir, "sync-key.pem", NULL);
  new_key_path = g_build_filename (abs_dir, "sync-key.pem.new", NULL);
  cert_path = g_build_filename (abs_dir, "sync-cert.pem", NULL);
  ca_path = g_build_filename (abs_dir, "hq-ca.pem", NULL);

  /* The key is on disk (0600) before HQ hears of it, so that a certificate
   * HQ issues is never for a key only memory held. It keeps a temporary name
   * until HQ answers: a failed re-enrollment leaves the working identity as
   * it was. */
  hostname = g_get_host_name ();
  if (!make_key_and_request (hostname, &key_pem, &csr_pem, error) ||
      !write_file (new_key_path, key_pem, 0600, error))
    return NULL;

  journal_key = till_journal_dup_public_key_base64 (journal);
  body = enroll_request_body (secret, csr_pem, journal_key, hostname);
  reply = post_enrollment (url, pin, body, error);
  if (reply == NULL)
    {
      g_unlink (new_key_path);
      return NULL;
    }

  if ((till_id = reply_string (reply, "till_id", error)) == NULL ||
      (store_id = reply_string (reply, "store_id", error)) == NULL ||
      (certificate = reply_string (reply, "certificate", error)) == NULL ||
      (ca = reply_string (reply, "ca", error)) == NULL ||
      (hq_key = reply_string (reply, "hq_key", error)) == NULL)
    {
      g_unlink (new_key_path);
      return NULL;
    }
  epoch = json_object_get_int_member_with_default (reply, "epoch", 0);
  reply_ca_pin = pin_of_pem (ca);
  if (epoch <= 0 || epoch > G_MAXUINT32 || reply_ca_pin == NULL ||
      g_ascii_strcasecmp (reply_ca_pin, pin) != 0 ||
      !certificate_matches_key (certificate, key_pem))
    {
      g_unlink (new_key_path);
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s enrollment reply does not fit this till: its epoch, CA or "
                      "certificate is not the one asked for"));
      return NULL;
    }

  if (!write_file (cert_path, certificate, 0644, error) || !write_file (ca_path, ca, 0644, error))
    {
      g_unlink (new_key_path);
      return NULL;
    }
  if (g_rename (new_key_path, key_path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("Cannot write %s: %s"),
                   key_path, g_strerror (saved_errno));
      return NULL;
    }

  identity = g_new0 (TillSyncIdentity, 1);
  identity->url = g_strdup (url);
  while (g_str_has_suffix (identity->url, "/"))
    identity->url[strlen (identity->url) - 1] = '\0';
  identity->till_id = g_strdup (till_id);
  identity->store_id = g_strdup (store_id);
  identity->epoch = (guint32) epoch;
  identity->hq_key = g_strdup (hq_key);
  identity->cert_path = g_steal_pointer (&cert_path);
  identity->key_path = g_steal_pointer (&key_path);
  identity->ca_path = g_steal_pointer (&ca_path);
  identity->enrolled_us = g_get_real_time ();

  if (!till_sync_identity_save (store, journal, identity, identity->enrolled_us, error))
    return NULL;
  return g_steal_pointer (&identity);
}
