/* hq-server.c: opentill-hq's HTTPS endpoints (libsoup 3) over an HqStore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "hq-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "hq-server.h"

/* Larger bodies are refused before they are read: a push is at most
 * TILL_WIRE_BATCH_MAX_BYTES of payload plus its envelope. */
#define MAX_BODY_BYTES (8 * 1024 * 1024)
/* How long a till's client certificate is valid; it enrolls again after. */
#define CLIENT_CERT_DAYS 825
#define ED25519_KEY_LEN 32

struct _HqServer
{
  GObject parent_instance;

  HqStore    *store;
  HqCa       *ca;
  SoupServer *soup;
  char       *url;
};

G_DEFINE_FINAL_TYPE (HqServer, hq_server, G_TYPE_OBJECT)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (X509_REQ, X509_REQ_free)

static void
reply_bytes (SoupServerMessage *msg, guint status, const char *content_type, GBytes *body)
{
  gsize         len = 0;
  gconstpointer data = g_bytes_get_data (body, &len);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, len);
}

static void
reply_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr (GBytes) body = till_wire_error_encode (message);

  reply_bytes (msg, status, "application/json", body);
}

/* A refusal store IT may need to look into: logged with who asked and why,
 * and answered with the same reason. */
static void
refuse (SoupServerMessage *msg, guint status, const char *who, const char *message)
{
  g_message ("Refused %s %s from %s (%u): %s", soup_server_message_get_method (msg),
             g_uri_get_path (soup_server_message_get_uri (msg)),
             who != NULL ? who : soup_server_message_get_remote_host (msg), status, message);
  reply_error (msg, status, message);
}

/* Something that should not fail did: HQ's fault, not the till's. */
static void
fail (SoupServerMessage *msg, const char *what, const GError *error)
{
  g_warning ("%s %s: %s: %s", soup_server_message_get_method (msg),
             g_uri_get_path (soup_server_message_get_uri (msg)), what,
             error != NULL ? error->message : "unknown error");
  reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR,
               _ ("HQ failed to handle the request; it is logged on the HQ server. The till "
                  "retries by itself."));
}

static gboolean
method_is (SoupServerMessage *msg, const char *method)
{
  if (g_strcmp0 (soup_server_message_get_method (msg), method) == 0)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", method);
  reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _ ("This endpoint takes another method"));
  return FALSE;
}

static GBytes *
request_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  return soup_message_body_flatten (body);
}

static gboolean
body_too_large (SoupServerMessage *msg, const char *who)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset             length = soup_message_headers_get_content_length (headers);
  SoupMessageBody    *body = soup_server_message_get_request_body (msg);

  if (length <= MAX_BODY_BYTES && (body == NULL || body->length <= MAX_BODY_BYTES))
    return FALSE;
  refuse (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, who,
          _ ("The request is larger than 8 MiB; the till sends smaller batches"));
  return TRUE;
}

/* libsoup 3.2 gives a message its peer's certificate only when the TLS
 * handshake completes, that is on the first request of a connection: the
 * requests after it on the same keep-alive connection see none. HQ keeps the
 * certificate on the connection's GSocket, which lives exactly as long as
 * the TLS session the certificate was shown in. */
#define PEER_CERTIFICATE_KEY "hq-server-peer-certificate"

static void
remember_peer_certificate (SoupServerMessage *msg)
{
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);
  GSocket         *socket = soup_server_message_get_socket (msg);

  if (peer != NULL && socket != NULL)
    g_object_set_data_full (G_OBJECT (socket), PEER_CERTIFICATE_KEY, g_object_ref (peer),
                            g_object_unref);
}

static GTlsCertificate *
peer_certificate (SoupServerMessage *msg)
{
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);
  GSocket         *socket = soup_server_message_get_socket (msg);

  if (peer != NULL || socket == NULL)
    return peer;
  return g_object_get_data (G_OBJECT (socket), PEER_CERTIFICATE_KEY);
}

/* The till behind the request's client certificate, or NULL after replying
 * with the reason it is not known. */
static HqTill *
identify_till (HqServer *self, SoupServerMessage *msg)
{
  GTlsCertificate *peer = peer_certificate (msg);
  g_autoptr (GError) error = NULL;
  g_autofree char *fingerprint = NULL;
  HqTill          *till;

  if (peer == NULL)
    {
      refuse (msg, SOUP_STATUS_UNAUTHORIZED, NULL,
              _ ("This request needs the till's client certificate; enroll the till first "
                 "(opentill-admin enroll URL TOKEN)"));
      return NULL;
    }
  /* accept-certificate checked it already; checking again costs little and
   * does not depend on when libsoup emits the signal. */
  if (!hq_ca_check_client (self->ca, peer, &error))
    {
      refuse (msg, SOUP_STATUS_FORBIDDEN, NULL, error->message);
      return NULL;
    }
  fingerprint = hq_ca_fingerprint (peer);
  till = hq_store_find_till_by_certificate (self->store, fingerprint, &error);
  if (till == NULL)
    {
      if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN) ||
          g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND))
        refuse (msg, SOUP_STATUS_FORBIDDEN, NULL,
                _ ("This till's certificate is no longer valid (the till was enrolled again or "
                   "revoked); enroll it again with a new token"));
      else
        fail (msg, "looking up the till", error);
      return NULL;
    }
  return till;
}

static const char *
json_member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The request's own signature must verify before HQ uses up the token:
 * a till that sent a broken request can try again with the same token. */
static gboolean
csr_is_usable (const char *csr_pem)
{
  g_autoptr (BIO) bio = BIO_new_mem_buf (csr_pem, -1);
  g_autoptr (X509_REQ) request = NULL;
  EVP_PKEY *key;
  gboolean  usable;

  if (bio != NULL)
    request = PEM_read_bio_X509_REQ (bio, NULL, NULL, NULL);
  key = request != NULL ? X509_REQ_get0_pubkey (request) : NULL;
  usable = key != NULL && X509_REQ_verify (request, key) == 1;
  ERR_clear_error ();
  return usable;
}

static gboolean
journal_key_is_usable (const char *key_b64)
{
  gsize              len = 0;
  g_autofree guchar *raw = g_base64_decode (key_b64, &len);

  return len == ED25519_KEY_LEN;
}

static void
handle_enroll (HqServer *self, SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (HqEnrollment) enrollment = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *certificate = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *ca_pem = NULL;
  g_autofree char *reply = NULL;
  gsize            reply_len = 0;
  JsonObject      *request;
  const char      *token;
  const char      *csr;
  const char      *journal_key;
  const char      *hostname;

  if (!method_is (msg, SOUP_METHOD_POST) || body_too_large (msg, NULL))
    return;
  body = request_body (msg);
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   (gssize) g_bytes_get_size (body), &error) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, NULL,
              _ ("The enrollment request is not a JSON object"));
      return;
    }
  request = json_node_get_object (json_parser_get_root (parser));
  token = json_member_string (request, "token");
  csr = json_member_string (request, "csr");
  journal_key = json_member_string (request, "journal_key");
  hostname = json_member_string (request, "hostname");
  if (token == NULL || csr == NULL || journal_key == NULL)
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, NULL,
              _ ("The enrollment request needs token, csr and journal_key"));
      return;
    }
  if (!csr_is_usable (csr))
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, hostname,
              _ ("The certificate request is not a PEM CSR whose signature verifies"));
      return;
    }
  if (!journal_key_is_usable (journal_key))
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, hostname,
              _ ("The journal key is not a base64 Ed25519 public key"));
      return;
    }

  enrollment = hq_store_enroll (self->store, token, journal_key, &error);
  if (enrollment == NULL)
    {
      if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_TOKEN))
        refuse (msg, SOUP_STATUS_FORBIDDEN, hostname,
                _ ("The enrollment token is unknown, used or expired; make a new one at HQ with "
                   "opentill-hq enroll --store STORE --till N"));
      else if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID) ||
               g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND))
        refuse (msg, SOUP_STATUS_BAD_REQUEST, hostname, error->message);
      else
        fail (msg, "enrolling", error);
      return;
    }
  certificate = hq_ca_sign_client (self->ca, csr, enrollment->till_id, CLIENT_CERT_DAYS,
                                   &fingerprint, &error);
  if (certificate == NULL ||
      !hq_store_set_till_certificate (self->store, enrollment->till_id, fingerprint, &error))
    {
      fail (msg, "issuing the till's certificate", error);
      return;
    }
  ca_pem = hq_ca_dup_ca_pem (self->ca);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "till_id");
  json_builder_add_string_value (builder, enrollment->till_id);
  json_builder_set_member_name (builder, "store_id");
  json_builder_add_string_value (builder, enrollment->store_id);
  json_builder_set_member_name (builder, "epoch");
  json_builder_add_int_value (builder, enrollment->epoch);
  json_builder_set_member_name (builder, "certificate");
  json_builder_add_string_value (builder, certificate);
  json_builder_set_member_name (builder, "ca");
  json_builder_add_string_value (builder, ca_pem);
  json_builder_set_member_name (builder, "hq_key");
  json_builder_add_string_value (builder, hq_ca_get_ack_public_key (self->ca));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  reply = json_generator_to_data (generator, &reply_len);

  g_message ("Enrolled till %s of store %s (epoch %u%s%s)", enrollment->till_id,
             enrollment->store_id, enrollment->epoch, hostname != NULL ? ", host " : "",
             hostname != NULL ? hostname : "");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&reply), reply_len);
}

static void
handle_push (HqServer *self, SoupServerMessage *msg)
{
  g_autoptr (HqTill) till = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWireBatch) batch = NULL;
  g_autoptr (TillWireAck) ack = NULL;
  g_autoptr (GBytes) countersig_message = NULL;
  g_autoptr (GBytes) reply = NULL;
  const char *signature;

  if (!method_is (msg, SOUP_METHOD_POST))
    return;
  till = identify_till (self, msg);
  if (till == NULL || body_too_large (msg, till->till_id))
    return;

  body = request_body (msg);
  signature = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                            "X-Opentill-Signature");
  if (signature == NULL)
    {
      refuse (msg, SOUP_STATUS_UNAUTHORIZED, till->till_id,
              _ ("The push has no X-Opentill-Signature header"));
      return;
    }
  /* The journal key signs the exact bytes: verify before parsing anything. */
  if (!till_wire_verify_ed25519 (till->journal_key, body, signature, &error))
    {
      refuse (msg, SOUP_STATUS_UNAUTHORIZED, till->till_id,
              _ ("The push's signature does not verify with the till's journal key; if the "
                 "till's key was replaced, enroll the till again"));
      return;
    }
  batch = till_wire_batch_decode (body, &error);
  if (batch == NULL)
    {
      g_autofree char *message = g_strdup_printf (_ ("The batch is malformed: %s"), error->message);

      refuse (msg, SOUP_STATUS_BAD_REQUEST, till->till_id, message);
      return;
    }
  if (g_strcmp0 (batch->till_id, till->till_id) != 0)
    {
      g_autofree char *message =
          g_strdup_printf (_ ("The batch names till %s but the certificate is till %s"),
                           batch->till_id, till->till_id);

      refuse (msg, SOUP_STATUS_FORBIDDEN, till->till_id, message);
      return;
    }
  if (batch->epoch != till->epoch)
    {
      g_autofree char *message = g_strdup_printf (
          _ ("The batch is for epoch %u but the till's current epoch at HQ is %u; the till must "
             "be enrolled again before it sends more"),
          batch->epoch, till->epoch);

      refuse (msg, SOUP_STATUS_CONFLICT, till->till_id, message);
      return;
    }

  ack = hq_store_apply_batch (self->store, till, batch, g_get_real_time (), &error);
  if (ack == NULL)
    {
      if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_FORBIDDEN))
        refuse (msg, SOUP_STATUS_CONFLICT, till->till_id, error->message);
      else if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID))
        refuse (msg, SOUP_STATUS_BAD_REQUEST, till->till_id, error->message);
      else
        fail (msg, "applying a batch", error);
      return;
    }
  countersig_message = till_wire_countersig_message (till->till_id, till->epoch, ack->acked_through,
                                                     batch->head_seq, batch->head_hash);
  g_free (ack->countersig);
  ack->countersig = hq_ca_countersign (self->ca, countersig_message);
  if (ack->countersig == NULL)
    {
      fail (msg, "countersigning the ack", NULL);
      return;
    }
  reply = till_wire_ack_encode (ack);
  reply_bytes (msg, SOUP_STATUS_OK, "application/json", reply);
}

static gboolean
parse_query_int (GHashTable *query, const char *name, gint64 min, gint64 max, gint64 *inout)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL)
    return TRUE;
  return g_ascii_string_to_signed (text, 10, min, max, inout, NULL);
}

static void
handle_changes (HqServer *self, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr (HqTill) till = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWirePage) page = NULL;
  g_autoptr (GBytes) reply = NULL;
  const char *channel = query != NULL ? g_hash_table_lookup (query, "channel") : NULL;
  gint64      since = 0;
  gint64      limit = TILL_WIRE_PAGE_MAX_ROWS;

  if (!method_is (msg, SOUP_METHOD_GET))
    return;
  till = identify_till (self, msg);
  if (till == NULL)
    return;
  if (channel == NULL || !till_wire_channel_is_known (channel))
    {
      g_autofree char *message =
          g_strdup_printf (_ ("Unknown channel “%s”"), channel != NULL ? channel : "");

      refuse (msg, SOUP_STATUS_BAD_REQUEST, till->till_id, message);
      return;
    }
  /* A larger limit than HQ serves is not an error: the page is just shorter. */
  if (!parse_query_int (query, "since", 0, G_MAXINT64, &since) ||
      !parse_query_int (query, "limit", 1, G_MAXINT64, &limit))
    {
      refuse (msg, SOUP_STATUS_BAD_REQUEST, till->till_id,
              _ ("since must be a cursor (0 or more) and limit a positive number"));
      return;
    }
  limit = MIN (limit, TILL_WIRE_PAGE_MAX_ROWS);

  page = hq_store_get_changes (self->store, till, channel, since, (guint) limit, &error);
  if (page == NULL)
    {
      if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_GONE))
        refuse (msg, SOUP_STATUS_GONE, till->till_id, error->message);
      else if (g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_NOT_FOUND) ||
               g_error_matches (error, HQ_STORE_ERROR, HQ_STORE_ERROR_INVALID))
        refuse (msg, SOUP_STATUS_BAD_REQUEST, till->till_id, error->message);
      else
        fail (msg, "reading changes", error);
      return;
    }
  reply = till_wire_page_encode (page);
  reply_bytes (msg, SOUP_STATUS_OK, "application/json", reply);
}

static void
handle_health (HqServer *self, SoupServerMessage *msg)
{
  static const char ok[] = "ok";

  if (!method_is (msg, SOUP_METHOD_GET))
    return;
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, ok, strlen (ok));
}

static void
request_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  HqServer *self = HQ_SERVER (user_data);

  if (g_str_equal (path, "/v1/enroll"))
    handle_enroll (self, msg);
  else if (g_str_equal (path, "/v1/push"))
    handle_push (self, msg);
  else if (g_str_equal (path, "/v1/changes"))
    handle_changes (self, msg, query);
  else if (g_str_equal (path, "/v1/health"))
    handle_health (self, msg);
  else
    reply_error (msg, SOUP_STATUS_NOT_FOUND, _ ("No such endpoint"));
}

/* Runs once the headers are in: a body announced too large is refused
 * before libsoup reads it. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_content_length (headers) > MAX_BODY_BYTES)
    body_too_large (msg, NULL);
}

static gboolean
accept_certificate_cb (SoupServerMessage   *msg,
                       GTlsCertificate     *certificate,
                       GTlsCertificateFlags errors,
                       gpointer             user_data)
{
  HqServer *self = HQ_SERVER (user_data);
  g_autoptr (GError) error = NULL;

  /* HQ's CA is in no system store: the TLS layer reports an unknown CA for
   * every till, and HQ decides here with its own CA. */
  if (hq_ca_check_client (self->ca, certificate, &error))
    return TRUE;
  g_message ("Refused a client certificate from %s: %s", soup_server_message_get_remote_host (msg),
             error->message);
  return FALSE;
}

static void
peer_certificate_changed_cb (SoupServerMessage *msg, GParamSpec *pspec, gpointer user_data)
{
  remember_peer_certificate (msg);
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (accept_certificate_cb), user_data,
                           0);
  g_signal_connect (msg, "notify::tls-peer-certificate", G_CALLBACK (peer_certificate_changed_cb),
                    NULL);
}

static void
hq_server_dispose (GObject *object)
{
  HqServer *self = HQ_SERVER (object);

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->store);
  g_clear_object (&self->ca);

  G_OBJECT_CLASS (hq_server_parent_class)->dispose (object);
}

static void
hq_server_finalize (GObject *object)
{
  HqServer *self = HQ_SERVER (object);

  g_free (self->url);

  G_OBJECT_CLASS (hq_server_parent_class)->finalize (object);
}

static void
hq_server_class_init (HqServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hq_server_dispose;
  object_class->finalize = hq_server_finalize;
}

static void
hq_server_init (HqServer *self)
{
}

/**
 * hq_server_new:
 * @store: what HQ keeps
 * @ca: HQ's CA, which gives the server certificate and checks tills'
 *
 * Returns: (transfer full): a server that does not listen yet.
 */
HqServer *
hq_server_new (HqStore *store, HqCa *ca)
{
  HqServer *self;

  g_return_val_if_fail (HQ_IS_STORE (store), NULL);
  g_return_val_if_fail (HQ_IS_CA (ca), NULL);

  self = g_object_new (HQ_TYPE_SERVER, NULL);
  self->store = g_object_ref (store);
  self->ca = g_object_ref (ca);
  self->soup = soup_server_new ("server-header", "opentill-hq/" PACKAGE_VERSION " ",
                                "tls-certificate", hq_ca_get_server_certificate (ca),
                                "tls-auth-mode", G_TLS_AUTHENTICATION_REQUESTED, NULL);
  soup_server_add_early_handler (self->soup, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, request_cb, self, NULL);
  g_signal_connect_object (self->soup, "request-started", G_CALLBACK (request_started_cb), self, 0);
  return self;
}

/**
 * hq_server_listen:
 * @address: an IP address to listen on ("0.0.0.0" for all)
 * @port: the TCP port, 0 for any free one
 *
 * Returns: the port listened on, or 0 with @error set.
 */
guint
hq_server_listen (HqServer *self, const char *address, guint port, GError **error)
{
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GInetAddress) url_address = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autofree char *host = NULL;
  GSList          *listeners;
  guint            bound_port;

  g_return_val_if_fail (HQ_IS_SERVER (self), 0);
  g_return_val_if_fail (address != NULL, 0);
  g_return_val_if_fail (port <= G_MAXUINT16, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  socket_address = g_inet_socket_address_new_from_string (address, port);
  if (socket_address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not an IP address to listen on"), address);
      return 0;
    }
  if (!soup_server_listen (self->soup, socket_address, SOUP_SERVER_LISTEN_HTTPS, error))
    return 0;

  listeners = soup_server_get_listeners (self->soup);
  local = listeners != NULL ? g_socket_get_local_address (listeners->data, error) : NULL;
  g_slist_free (listeners);
  if (local == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     _ ("The server has no listening socket"));
      soup_server_disconnect (self->soup);
      return 0;
    }
  bound_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  /* The URL is one a client on this host can use: the any-address is not. */
  url_address = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
  if (g_inet_address_get_is_any (url_address))
    {
      GSocketFamily family = g_inet_address_get_family (url_address);

      g_object_unref (url_address);
      url_address = g_inet_address_new_loopback (family);
    }
  host = g_inet_address_to_string (url_address);
  g_free (self->url);
  if (g_inet_address_get_family (url_address) == G_SOCKET_FAMILY_IPV6)
    self->url = g_strdup_printf ("https://[%s]:%u", host, bound_port);
  else
    self->url = g_strdup_printf ("https://%s:%u", host, bound_port);
  return bound_port;
}

/**
 * hq_server_get_url:
 *
 * Returns: (nullable): "https://ADDRESS:PORT" once listening.
 */
const char *
hq_server_get_url (HqServer *self)
{
  g_return_val_if_fail (HQ_IS_SERVER (self), NULL);

  return self->url;
}

/**
 * hq_server_disconnect:
 *
 * Stops listening and closes every connection.
 */
void
hq_server_disconnect (HqServer *self)
{
  g_return_if_fail (HQ_IS_SERVER (self));

  soup_server_disconnect (self->soup);
  g_clear_pointer (&self->url, g_free);
}
