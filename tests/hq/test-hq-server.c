/* test-hq-server.c: tests for src/hq/hq-server.c: the real server on
 * loopback with an SQLite HqStore, driven by a libsoup client over TLS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <libsoup/soup.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "hq-ca.h"
#include "hq-server.h"
#include "hq-store.h"
#include "till-pg-fixture.h"
#include "till-test-util.h"
#include "till-wire.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_PKEY, EVP_PKEY_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_MD_CTX, EVP_MD_CTX_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)

#define HEAD_HASH "ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01ab01"

static char     *scratch;
static char     *ca_pem_path;
static HqStore  *store;
static HqCa     *ca;
static HqServer *server;
/* The same cases run on SQLite and on this private PostgreSQL server. */
static TillPgServer *pg_server;

/* What a till holds after enrolling through the server. */
typedef struct
{
  EVP_PKEY        *tls_key;
  EVP_PKEY        *journal_key;
  GTlsCertificate *certificate; /* with its key */
  char            *till_id;
  guint32          epoch;
  char            *hq_key;
} Till;

static void
till_free (Till *till)
{
  EVP_PKEY_free (till->tls_key);
  EVP_PKEY_free (till->journal_key);
  g_clear_object (&till->certificate);
  g_free (till->till_id);
  g_free (till->hq_key);
  g_free (till);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Till, till_free)

static void
setup_with (gboolean postgres)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *ca_dir = NULL;

  scratch = till_test_make_tmpdir ();
  if (postgres)
    {
      static guint     n_databases;
      g_autofree char *name = g_strdup_printf ("hqserver_%d_%u", (int) getpid (), n_databases++);

      ck_assert_ptr_nonnull (pg_server);
      db_path = till_pg_server_create_database (pg_server, name, &error);
      ck_assert_msg (db_path != NULL, "createdb: %s", error ? error->message : "");
    }
  else
    db_path = g_build_filename (scratch, "hq.db", NULL);
  ca_dir = g_build_filename (scratch, "ca", NULL);
  ca_pem_path = g_build_filename (ca_dir, "ca.pem", NULL);
  store = hq_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (hq_store_put_group (store, "G1", "华东", &error));
  ck_assert (hq_store_put_store (store, "S001", "旗舰店", "G1", &error));
  ck_assert (hq_store_put_store (store, "S002", "二店", NULL, &error));
  ca = hq_ca_open (ca_dir, NULL, &error);
  ck_assert_msg (ca != NULL, "%s", error ? error->message : "");
  server = hq_server_new (store, ca);
  ck_assert_uint_gt (hq_server_listen (server, "127.0.0.1", 0, &error), 0);
  ck_assert_ptr_nonnull (hq_server_get_url (server));
}

static void
setup_sqlite (void)
{
  setup_with (FALSE);
}

static void
setup_postgres (void)
{
  setup_with (TRUE);
}

static void
teardown (void)
{
  hq_server_disconnect (server);
  g_clear_object (&server);
  g_clear_object (&ca);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&ca_pem_path, g_free);
}

/* A session that trusts HQ's CA alone, or with @trust_hq FALSE the
 * system's CAs alone. */
static SoupSession *
new_session (gboolean trust_hq)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) database = NULL;
  SoupSession *session = soup_session_new_with_options ("timeout", 20, NULL);

  if (trust_hq)
    {
      database = g_tls_file_database_new (ca_pem_path, &error);
      ck_assert_msg (database != NULL, "%s", error ? error->message : "");
      soup_session_set_tls_database (session, database);
    }
  return session;
}

typedef struct
{
  GBytes  *body;
  GError  *error;
  gboolean done;
} Reply;

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &reply->error);
  reply->done = TRUE;
}

/* Sends a request and runs this thread's main context, where the server
 * lives too, until the reply is in. Returns the body, or NULL with @error
 * for a transport failure; *out_status is the HTTP status. */
static GBytes *
request (SoupSession     *session,
         const char      *method,
         const char      *path_and_query,
         GBytes          *body,
         const char      *signature,
         GTlsCertificate *client_certificate,
         guint           *out_status,
         GError         **error)
{
  g_autofree char *uri = g_strconcat (hq_server_get_url (server), path_and_query, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  Reply reply = { 0 };

  ck_assert_ptr_nonnull (msg);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  if (signature != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "X-Opentill-Signature",
                                  signature);
  if (client_certificate != NULL)
    soup_message_set_tls_client_certificate (msg, client_certificate);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &reply);
  while (!reply.done)
    g_main_context_iteration (NULL, TRUE);
  *out_status = soup_message_get_status (msg);
  if (reply.error != NULL)
    g_propagate_error (error, reply.error);
  return reply.body;
}

static char *
error_message_of (GBytes *body)
{
  char *message = till_wire_error_decode (body);

  ck_assert_msg (message != NULL, "the reply carries no error message");
  return message;
}

static char *
bio_text (BIO *bio)
{
  const char *data = NULL;
  long        len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, (gsize) len);
}

static char *
make_csr (EVP_PKEY *key)
{
  g_autoptr (X509_REQ) csr = X509_REQ_new ();
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  ck_assert (X509_REQ_set_pubkey (csr, key) == 1);
  ck_assert (X509_REQ_sign (csr, key, EVP_sha256 ()) > 0);
  ck_assert (PEM_write_bio_X509_REQ (bio, csr) == 1);
  return bio_text (bio);
}

static char *
key_pem (EVP_PKEY *key)
{
  g_autoptr (BIO) bio = BIO_new (BIO_s_mem ());

  ck_assert (PEM_write_bio_PKCS8PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) == 1);
  return bio_text (bio);
}

static char *
public_key_b64 (EVP_PKEY *key)
{
  guint8 raw[32];
  size_t raw_len = sizeof raw;

  ck_assert (EVP_PKEY_get_raw_public_key (key, raw, &raw_len) == 1);
  return g_base64_encode (raw, raw_len);
}

static char *
sign_b64 (EVP_PKEY *key, GBytes *data)
{
  g_autoptr (EVP_MD_CTX) ctx = EVP_MD_CTX_new ();
  guint8 signature[64];
  size_t signature_len = sizeof signature;

  ck_assert (EVP_DigestSignInit (ctx, NULL, NULL, NULL, key) == 1);
  ck_assert (EVP_DigestSign (ctx, signature, &signature_len, g_bytes_get_data (data, NULL),
                             g_bytes_get_size (data)) == 1);
  return g_base64_encode (signature, signature_len);
}

static char *
new_token (const char *store_id, guint till_no, gint64 valid_us)
{
  g_autoptr (GError) error = NULL;
  char *secret = hq_store_create_enroll_token (store, store_id, till_no, valid_us, &error);

  ck_assert_msg (secret != NULL, "%s", error ? error->message : "");
  return secret;
}

static GBytes *
enroll_body (const char *token, const char *csr, const char *journal_key)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "csr");
  json_builder_add_string_value (builder, csr);
  json_builder_set_member_name (builder, "journal_key");
  json_builder_add_string_value (builder, journal_key);
  json_builder_set_member_name (builder, "hostname");
  json_builder_add_string_value (builder, "till-test");
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);
  return g_bytes_new_take (text, len);
}

/* POST /v1/enroll with a fresh key pair; returns the reply's root object
 * in *out_reply when it is 200. */
static guint
post_enroll (const char *token, EVP_PKEY *tls_key, EVP_PKEY *journal_key, JsonObject **out_reply)
{
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autofree char *csr = make_csr (tls_key);
  g_autofree char *journal_b64 = public_key_b64 (journal_key);
  g_autoptr (GBytes) body = enroll_body (token, csr, journal_b64);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  guint status = 0;

  reply = request (session, "POST", "/v1/enroll", body, NULL, NULL, &status, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  if (status == SOUP_STATUS_OK && out_reply != NULL)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      ck_assert (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), NULL));
      *out_reply = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  else if (status != SOUP_STATUS_OK)
    {
      g_autofree char *message = error_message_of (reply);

      ck_assert_str_ne (message, "");
    }
  return status;
}

static Till *
enroll_till (const char *store_id, guint till_no)
{
  g_autofree char *token = new_token (store_id, till_no, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_autoptr (Till) till = g_new0 (Till, 1);
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *tls_key_pem = NULL;
  g_autofree char *chain = NULL;
  g_autoptr (GError) error = NULL;

  till->tls_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  till->journal_key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  ck_assert_uint_eq (post_enroll (token, till->tls_key, till->journal_key, &reply), SOUP_STATUS_OK);
  till->till_id = g_strdup (json_object_get_string_member (reply, "till_id"));
  till->epoch = (guint32) json_object_get_int_member (reply, "epoch");
  till->hq_key = g_strdup (json_object_get_string_member (reply, "hq_key"));
  tls_key_pem = key_pem (till->tls_key);
  chain = g_strconcat (json_object_get_string_member (reply, "certificate"), tls_key_pem, NULL);
  till->certificate = g_tls_certificate_new_from_pem (chain, -1, &error);
  ck_assert_msg (till->certificate != NULL, "%s", error ? error->message : "");
  return g_steal_pointer (&till);
}

static char *
sale_payload (const char *ref, gint64 total)
{
  return g_strdup_printf (
      "{\"sale\":{\"uuid\":\"%s\",\"business_day\":\"2024-03-01\","
      "\"total\":%" G_GINT64_FORMAT ",\"lines\":[{\"sku\":\"6901234567892\","
      "\"name\":\"可口可乐 500ml\",\"quantity\":2000,\"amount\":%" G_GINT64_FORMAT
      "}]},\"journal_seq\":1,\"journal_hash\":\"%s\"}",
      ref, total, total, HEAD_HASH);
}

/* A batch of @n sales from seq @first on, encoded. */
static GBytes *
sales_batch (const Till *till, const char *till_id, guint32 epoch, gint64 first, guint n)
{
  g_autoptr (TillWireBatch) batch = till_wire_batch_new (till_id, epoch);

  batch->acked_base = first - 1;
  batch->sent_us = g_get_real_time ();
  batch->head_seq = first + n - 1;
  g_free (batch->head_hash);
  batch->head_hash = g_strdup (HEAD_HASH);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ref =
          g_strdup_printf ("0190c0de-0000-7000-8000-%012" G_GINT64_MODIFIER "x", first + i);
      g_autofree char *payload = sale_payload (ref, 600);
      g_autofree char *sha = till_wire_sha256_hex (payload, strlen (payload));

      g_ptr_array_add (batch->items, till_wire_item_new (first + i, "sale", ref, payload, sha));
    }
  return till_wire_batch_encode (batch);
}

static guint
push (SoupSession *session, const Till *till, GBytes *body, EVP_PKEY *signer, GBytes **out_reply)
{
  g_autofree char *signature = sign_b64 (signer, body);
  g_autoptr (GError) error = NULL;
  guint   status = 0;
  GBytes *reply =
      request (session, "POST", "/v1/push", body, signature, till->certificate, &status, &error);

  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  *out_reply = reply;
  return status;
}

/* /hq/server/health */
START_TEST (test_health)
{
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autoptr (GBytes) reply =
      request (session, "GET", "/v1/health", NULL, NULL, NULL, &status, &error);

  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (status, SOUP_STATUS_OK);
  ck_assert_uint_eq (g_bytes_get_size (reply), 2);
  ck_assert (memcmp (g_bytes_get_data (reply, NULL), "ok", 2) == 0);

  g_clear_pointer (&reply, g_bytes_unref);
  reply = request (session, "GET", "/v1/nothing-here", NULL, NULL, NULL, &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_NOT_FOUND);
  g_free (error_message_of (reply));
}
END_TEST

/* /hq/server/enroll */
START_TEST (test_enroll)
{
  g_autofree char *token = new_token ("S001", 1, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_autoptr (EVP_PKEY) tls_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (EVP_PKEY) journal_key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  g_autoptr (JsonObject) reply = NULL;
  g_autofree char *ca_pem = hq_ca_dup_ca_pem (ca);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (BIO) bio = NULL;
  g_autoptr (X509) x509 = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr (HqTill) till = NULL;
  g_autofree char *journal_b64 = public_key_b64 (journal_key);
  char             cn[64];

  ck_assert_uint_eq (post_enroll (token, tls_key, journal_key, &reply), SOUP_STATUS_OK);
  ck_assert_str_eq (json_object_get_string_member (reply, "till_id"), "S001-01");
  ck_assert_str_eq (json_object_get_string_member (reply, "store_id"), "S001");
  ck_assert_int_eq (json_object_get_int_member (reply, "epoch"), 1);
  ck_assert_str_eq (json_object_get_string_member (reply, "ca"), ca_pem);
  ck_assert_str_eq (json_object_get_string_member (reply, "hq_key"), hq_ca_get_ack_public_key (ca));

  /* The certificate names the till, is for the till's own key and is HQ's. */
  bio = BIO_new_mem_buf (json_object_get_string_member (reply, "certificate"), -1);
  x509 = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  ck_assert_ptr_nonnull (x509);
  ck_assert_int_gt (
      X509_NAME_get_text_by_NID (X509_get_subject_name (x509), NID_commonName, cn, sizeof cn), 0);
  ck_assert_str_eq (cn, "S001-01");
  ck_assert_int_eq (EVP_PKEY_eq (X509_get0_pubkey (x509), tls_key), 1);
  certificate = g_tls_certificate_new_from_pem (
      json_object_get_string_member (reply, "certificate"), -1, &error);
  ck_assert_ptr_nonnull (certificate);
  ck_assert (hq_ca_check_client (ca, certificate, &error));

  /* HQ knows the till by that certificate, with the journal key it sent. */
  fingerprint = hq_ca_fingerprint (certificate);
  till = hq_store_find_till_by_certificate (store, fingerprint, &error);
  ck_assert_msg (till != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till->till_id, "S001-01");
  ck_assert_str_eq (till->journal_key, journal_b64);
}
END_TEST

/* /hq/server/enroll-token-refused */
START_TEST (test_enroll_token_refused)
{
  g_autofree char *token = new_token ("S001", 1, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_autofree char *short_lived = new_token ("S001", 2, 1);
  g_autoptr (EVP_PKEY) tls_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (EVP_PKEY) journal_key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  g_autoptr (JsonObject) reply = NULL;

  ck_assert_uint_eq (post_enroll (token, tls_key, journal_key, &reply), SOUP_STATUS_OK);
  /* Single use. */
  ck_assert_uint_eq (post_enroll (token, tls_key, journal_key, NULL), SOUP_STATUS_FORBIDDEN);
  /* Expired. */
  g_usleep (2000);
  ck_assert_uint_eq (post_enroll (short_lived, tls_key, journal_key, NULL), SOUP_STATUS_FORBIDDEN);
  /* Never made. */
  ck_assert_uint_eq (post_enroll ("00000000000000000000000000000000", tls_key, journal_key, NULL),
                     SOUP_STATUS_FORBIDDEN);
}
END_TEST

/* /hq/server/enroll-bad-request-keeps-token */
START_TEST (test_enroll_bad_request)
{
  g_autofree char *token = new_token ("S001", 1, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) body = enroll_body (token, "not a CSR", "AAAA");
  g_autoptr (GBytes) garbage = g_bytes_new_static ("[1,2", 4);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (EVP_PKEY) tls_key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autoptr (EVP_PKEY) journal_key = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  guint status = 0;

  reply = request (session, "POST", "/v1/enroll", body, NULL, NULL, &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_BAD_REQUEST);
  g_free (error_message_of (reply));
  g_clear_pointer (&reply, g_bytes_unref);
  reply = request (session, "POST", "/v1/enroll", garbage, NULL, NULL, &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_BAD_REQUEST);
  g_clear_pointer (&reply, g_bytes_unref);
  reply = request (session, "GET", "/v1/enroll", NULL, NULL, NULL, &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_METHOD_NOT_ALLOWED);

  /* A broken request does not use the token up. */
  ck_assert_uint_eq (post_enroll (token, tls_key, journal_key, NULL), SOUP_STATUS_OK);
}
END_TEST

/* /hq/server/push-needs-certificate */
START_TEST (test_push_needs_certificate)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) body = sales_batch (till, till->till_id, till->epoch, 1, 1);
  g_autofree char *signature = sign_b64 (till->journal_key, body);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  guint status = 0;

  reply = request (session, "POST", "/v1/push", body, signature, NULL, &status, &error);
  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (status, SOUP_STATUS_UNAUTHORIZED);
  g_free (error_message_of (reply));
  ck_assert_int_eq (hq_store_count_documents (store, "sale", NULL, &error), 0);

  g_clear_pointer (&reply, g_bytes_unref);
  reply = request (session, "GET", "/v1/changes?channel=items", NULL, NULL, NULL, &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_UNAUTHORIZED);
}
END_TEST

/* /hq/server/push-bad-signature */
START_TEST (test_push_bad_signature)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) body = sales_batch (till, till->till_id, till->epoch, 1, 1);
  g_autoptr (GBytes) other_body = sales_batch (till, till->till_id, till->epoch, 1, 2);
  g_autoptr (EVP_PKEY) stranger = EVP_PKEY_Q_keygen (NULL, NULL, "ED25519");
  g_autofree char *signature_of_other = sign_b64 (till->journal_key, other_body);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  guint status;

  /* Signed by a key that is not the till's journal key. */
  ck_assert_uint_eq (push (session, till, body, stranger, &reply), SOUP_STATUS_UNAUTHORIZED);
  g_free (error_message_of (reply));
  g_clear_pointer (&reply, g_bytes_unref);

  /* The till's key, but over other bytes. */
  reply = request (session, "POST", "/v1/push", body, signature_of_other, till->certificate,
                   &status, &error);
  ck_assert_uint_eq (status, SOUP_STATUS_UNAUTHORIZED);
  ck_assert_int_eq (hq_store_count_documents (store, "sale", NULL, &error), 0);
}
END_TEST

/* /hq/server/push-ok */
START_TEST (test_push_ok)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) body = sales_batch (till, till->till_id, till->epoch, 1, 3);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (GBytes) message = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_uint_eq (push (session, till, body, till->journal_key, &reply), SOUP_STATUS_OK);
  ack = till_wire_ack_decode (reply, &error);
  ck_assert_msg (ack != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (ack->acked_through, 3);
  ck_assert_uint_eq (ack->items->len, 3);
  for (guint i = 0; i < ack->items->len; i++)
    ck_assert_int_eq (g_array_index (ack->items, TillWireItemResult, i).status, TILL_WIRE_ITEM_OK);
  ck_assert_ptr_nonnull (ack->countersig);
  message = till_wire_countersig_message (till->till_id, till->epoch, 3, 3, HEAD_HASH);
  ck_assert_msg (till_wire_verify_ed25519 (till->hq_key, message, ack->countersig, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (hq_store_count_documents (store, "sale", till->till_id, &error), 3);

  /* The same batch again, on the same connection: duplicates, nothing doubled. */
  g_clear_pointer (&reply, g_bytes_unref);
  g_clear_pointer (&ack, till_wire_ack_free);
  ck_assert_uint_eq (push (session, till, body, till->journal_key, &reply), SOUP_STATUS_OK);
  ack = till_wire_ack_decode (reply, &error);
  ck_assert_ptr_nonnull (ack);
  ck_assert_int_eq (ack->acked_through, 3);
  ck_assert_int_eq (g_array_index (ack->items, TillWireItemResult, 0).status,
                    TILL_WIRE_ITEM_DUPLICATE);
  ck_assert_int_eq (hq_store_count_documents (store, "sale", till->till_id, &error), 3);
}
END_TEST

/* /hq/server/push-wrong-till-or-epoch */
START_TEST (test_push_wrong_till_or_epoch)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) other_till = sales_batch (till, "S002-01", till->epoch, 1, 1);
  g_autoptr (GBytes) old_epoch = sales_batch (till, till->till_id, till->epoch + 1, 1, 1);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_uint_eq (push (session, till, other_till, till->journal_key, &reply),
                     SOUP_STATUS_FORBIDDEN);
  g_free (error_message_of (reply));
  g_clear_pointer (&reply, g_bytes_unref);
  ck_assert_uint_eq (push (session, till, old_epoch, till->journal_key, &reply),
                     SOUP_STATUS_CONFLICT);
  g_free (error_message_of (reply));
  ck_assert_int_eq (hq_store_count_documents (store, "sale", NULL, &error), 0);
}
END_TEST

/* /hq/server/reenrolled-certificate-refused */
START_TEST (test_reenrolled_certificate)
{
  g_autoptr (Till) first = enroll_till ("S001", 1);
  g_autoptr (Till) second = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (SoupSession) second_session = new_session (TRUE);
  g_autoptr (GBytes) old_body = sales_batch (first, first->till_id, first->epoch, 1, 1);
  g_autoptr (GBytes) new_body = sales_batch (second, second->till_id, second->epoch, 1, 1);
  g_autoptr (GBytes) reply = NULL;

  ck_assert_str_eq (first->till_id, second->till_id);
  ck_assert_uint_eq (second->epoch, first->epoch + 1);
  ck_assert_uint_eq (push (session, first, old_body, first->journal_key, &reply),
                     SOUP_STATUS_FORBIDDEN);
  g_clear_pointer (&reply, g_bytes_unref);
  ck_assert_uint_eq (push (second_session, second, new_body, second->journal_key, &reply),
                     SOUP_STATUS_OK);
}
END_TEST

static void
put_items (guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonObject) data = json_object_new ();
      g_autofree char *sku = g_strdup_printf ("69000000%05u", i);
      g_autoptr (GError) error = NULL;

      json_object_set_string_member (data, "sku", sku);
      json_object_set_string_member (data, "name", "矿泉水");
      json_object_set_int_member (data, "price", 200 + i);
      ck_assert_msg (hq_store_put_row (store, "items", sku, "all", data, &error), "%s",
                     error ? error->message : "");
    }
}

static TillWirePage *
pull (SoupSession *session, const Till *till, const char *query, guint *out_status)
{
  g_autofree char *path = g_strconcat ("/v1/changes?", query, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply =
      request (session, "GET", path, NULL, NULL, till->certificate, out_status, &error);
  TillWirePage *page;

  ck_assert_msg (reply != NULL, "%s", error ? error->message : "");
  if (*out_status != SOUP_STATUS_OK)
    {
      g_free (error_message_of (reply));
      return NULL;
    }
  page = till_wire_page_decode (reply, &error);
  ck_assert_msg (page != NULL, "%s", error ? error->message : "");
  return page;
}

/* /hq/server/changes-paging */
START_TEST (test_changes_paging)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64   cursor = 0;
  guint    pages = 0;
  guint    status = 0;
  gboolean more = TRUE;

  put_items (5);
  /* All pages go over one keep-alive connection: libsoup 3.2 gives only the
   * first request of a connection the client certificate, and HQ must still
   * know the till on the later ones. */
  while (more)
    {
      g_autofree char *query =
          g_strdup_printf ("channel=items&since=%" G_GINT64_FORMAT "&limit=2", cursor);
      g_autoptr (TillWirePage) page = pull (session, till, query, &status);

      ck_assert_uint_eq (status, SOUP_STATUS_OK);
      ck_assert_uint_le (page->rows->len, 2);
      ck_assert_int_gt (page->next_cursor, cursor);
      for (guint i = 0; i < page->rows->len; i++)
        g_hash_table_add (seen, g_strdup (((TillWireRow *) page->rows->pdata[i])->id));
      more = page->has_more;
      ck_assert_int_eq (page->total, more ? -1 : 5);
      cursor = page->next_cursor;
      ck_assert_uint_lt (++pages, 10);
    }
  ck_assert_uint_eq (pages, 3);
  ck_assert_uint_eq (g_hash_table_size (seen), 5);
}
END_TEST

/* /hq/server/changes-refused */
START_TEST (test_changes_refused)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  guint status = 0;
  g_autoptr (TillWirePage) page = NULL;

  page = pull (session, till, "channel=weather", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_BAD_REQUEST);
  page = pull (session, till, "since=0", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_BAD_REQUEST);
  page = pull (session, till, "channel=items&since=-4", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_BAD_REQUEST);
  page = pull (session, till, "channel=items&since=0", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_OK);
}
END_TEST

/* /hq/server/changes-gone-after-purge */
START_TEST (test_changes_gone)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (TillWirePage) first = NULL;
  g_autoptr (TillWirePage) page = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *query = NULL;
  guint            status = 0;

  put_items (3);
  first = pull (session, till, "channel=items&since=0&limit=1", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_OK);
  ck_assert (first->has_more);
  ck_assert (hq_store_delete_row (store, "items", "6900000000002", "all", &error));
  ck_assert_int_eq (hq_store_purge_tombstones (store, g_get_real_time () + 1, &error), 1);

  /* The till's cursor is older than the purged deletion: reload. */
  query = g_strdup_printf ("channel=items&since=%" G_GINT64_FORMAT, first->next_cursor);
  page = pull (session, till, query, &status);
  ck_assert_ptr_null (page);
  ck_assert_uint_eq (status, SOUP_STATUS_GONE);
  /* A full reload from 0 still works. */
  page = pull (session, till, "channel=items&since=0", &status);
  ck_assert_uint_eq (status, SOUP_STATUS_OK);
  ck_assert_uint_eq (page->rows->len, 2);
}
END_TEST

/* /hq/server/untrusted-server */
START_TEST (test_untrusted_server)
{
  g_autoptr (SoupSession) session = new_session (FALSE);
  g_autoptr (GError) error = NULL;
  guint status = 0;
  g_autoptr (GBytes) reply =
      request (session, "GET", "/v1/health", NULL, NULL, NULL, &status, &error);

  /* A client that does not trust HQ's CA refuses the handshake. */
  ck_assert_ptr_null (reply);
  ck_assert_msg (error != NULL && error->domain == G_TLS_ERROR, "%s",
                 error ? error->message : "no error");
}
END_TEST

/* /hq/server/foreign-client-certificate */
START_TEST (test_foreign_client_certificate)
{
  g_autoptr (Till) till = enroll_till ("S001", 1);
  g_autofree char *other_dir = g_build_filename (scratch, "other-ca", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HqCa) other = hq_ca_open (other_dir, NULL, &error);
  g_autoptr (EVP_PKEY) key = EVP_PKEY_Q_keygen (NULL, NULL, "EC", "P-256");
  g_autofree char *csr = make_csr (key);
  g_autofree char *cert_pem = hq_ca_sign_client (other, csr, till->till_id, 30, NULL, &error);
  g_autofree char *private_pem = key_pem (key);
  g_autofree char *chain = g_strconcat (cert_pem, private_pem, NULL);
  g_autoptr (SoupSession) session = new_session (TRUE);
  g_autoptr (GBytes) body = sales_batch (till, till->till_id, till->epoch, 1, 1);
  g_autofree char *signature = sign_b64 (till->journal_key, body);
  g_autoptr (GBytes) reply = NULL;
  guint status = 0;

  /* A certificate for the right till name from another CA, with a valid
   * body signature: HQ refuses it in the handshake. */
  g_clear_object (&till->certificate);
  till->certificate = g_tls_certificate_new_from_pem (chain, -1, &error);
  ck_assert_ptr_nonnull (till->certificate);
  reply =
      request (session, "POST", "/v1/push", body, signature, till->certificate, &status, &error);
  ck_assert_msg (reply == NULL || status == SOUP_STATUS_FORBIDDEN ||
                     status == SOUP_STATUS_UNAUTHORIZED,
                 "status %u", status);
  ck_assert_int_eq (hq_store_count_documents (store, "sale", NULL, NULL), 0);
}
END_TEST

/* /hq/server/body-too-large */
START_TEST (test_body_too_large)
{
  g_autoptr (SoupSession) session = new_session (TRUE);
  gsize len = 9 * 1024 * 1024;
  char *big = g_malloc (len);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  guint status = 0;

  memset (big, ' ', len);
  big[0] = '{';
  big[len - 1] = '}';
  body = g_bytes_new_take (big, len);
  reply = request (session, "POST", "/v1/enroll", body, NULL, NULL, &status, &error);
  ck_assert_msg (status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "status %u: %s", status,
                 error ? error->message : "");
}
END_TEST

static void
add_cases (Suite *suite, const char *name, void (*setup) (void))
{
  TCase *tc = tcase_create (name);

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_health);
  tcase_add_test (tc, test_enroll);
  tcase_add_test (tc, test_enroll_token_refused);
  tcase_add_test (tc, test_enroll_bad_request);
  tcase_add_test (tc, test_push_needs_certificate);
  tcase_add_test (tc, test_push_bad_signature);
  tcase_add_test (tc, test_push_ok);
  tcase_add_test (tc, test_push_wrong_till_or_epoch);
  tcase_add_test (tc, test_reenrolled_certificate);
  tcase_add_test (tc, test_changes_paging);
  tcase_add_test (tc, test_changes_refused);
  tcase_add_test (tc, test_changes_gone);
  tcase_add_test (tc, test_untrusted_server);
  tcase_add_test (tc, test_foreign_client_certificate);
  tcase_add_test (tc, test_body_too_large);
  suite_add_tcase (suite, tc);
}

static Suite *
hq_server_suite (void)
{
  Suite *suite = suite_create ("hq-server");

  add_cases (suite, "/hq/server/sqlite", setup_sqlite);
  add_cases (suite, "/hq/server/postgres", setup_postgres);
  return suite;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* Started before Check forks its tests; each test gets its own database. */
  pg_server = till_pg_server_start (&error);
  if (pg_server == NULL)
    {
      g_printerr ("PostgreSQL does not start: %s\n", error->message);
      return 1;
    }
  status = till_test_run_suite (hq_server_suite ());
  till_pg_server_stop (pg_server);
  return status;
}
