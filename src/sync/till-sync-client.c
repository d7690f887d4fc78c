/* till-sync-client.c: the till's blocking HTTPS client for HQ (libsoup 3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "till-sync-client.h"

struct _TillSyncClient
{
  GObject parent_instance;

  char            *url; /* without a trailing slash */
  SoupSession     *session;
  GTlsCertificate *client_certificate;
  GCancellable    *cancellable; /* cancelled from another thread to end a wait */
};

G_DEFINE_FINAL_TYPE (TillSyncClient, till_sync_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_sync_error_quark, till_sync_error)

/* Sorts a failed request into what the sync worker must do about it: a
 * transport failure is OFFLINE (try again later, nothing was learnt), a
 * certificate that is not from HQ's CA is TLS (a person must look). */
static void
set_transport_error (GError **error, const char *what, const GError *cause)
{
  TillSyncError code = TILL_SYNC_ERROR_OFFLINE;

  /* Only a certificate the CA did not sign is TLS. A handshake cut short,
   * which a flaky link or a proxy gives as NOT_TLS, EOF or MISC, is a
   * network failure to retry like any other. */
  if (g_error_matches (cause, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    code = TILL_SYNC_ERROR_TLS;
  else if (g_error_matches (cause, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    code = TILL_SYNC_ERROR_REFUSED;

  if (code == TILL_SYNC_ERROR_TLS)
    g_set_error (error, TILL_SYNC_ERROR, code,
                 _ ("%s: HQ’s certificate is not from the CA this till trusts: %s"), what,
                 cause->message);
  else
    g_set_error (error, TILL_SYNC_ERROR, code, _ ("%s: HQ cannot be reached: %s"), what,
                 cause->message);
}

/* A reply other than 200: its status says what kind of failure it is, and
 * HQ's error body says why, in words for store IT. */
static void
set_status_error (GError **error, const char *what, guint status, GBytes *body)
{
  g_autofree char *hq_message = body != NULL ? till_wire_error_decode (body) : NULL;
  TillSyncError    code;

  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    code = TILL_SYNC_ERROR_REFUSED;
  else if (status == SOUP_STATUS_GONE)
    code = TILL_SYNC_ERROR_GONE;
  else if (status >= 500 && status <= 599)
    code = TILL_SYNC_ERROR_SERVER;
  else
    code = TILL_SYNC_ERROR_PROTOCOL;

  g_set_error (error, TILL_SYNC_ERROR, code, _ ("%s: HQ answered %u %s%s%s"), what, status,
               soup_status_get_phrase (status), hq_message != NULL ? ": " : "",
               hq_message != NULL ? hq_message : "");
}

/* Sends @message and returns the body of a 200 reply; anything else is an
 * error in TILL_SYNC_ERROR. */
static GBytes *
send_message (TillSyncClient *self, SoupMessage *message, const char *what, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GBytes) body = NULL;
  guint status;

  soup_message_set_tls_client_certificate (message, self->client_certificate);
  /* Connections are kept alive: HQ remembers the certificate a connection
   * was opened with (libsoup 3.2's server gives it to the first request
   * only). A push resent on a connection that closed is harmless: HQ takes
   * each document once. */
  body = soup_session_send_and_read (self->session, message, self->cancellable, &local_error);
  if (body == NULL)
    {
      set_transport_error (error, what, local_error);
      return NULL;
    }
  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      set_status_error (error, what, status, body);
      return NULL;
    }
  return g_steal_pointer (&body);
}

static void
till_sync_client_finalize (GObject *object)
{
  TillSyncClient *self = TILL_SYNC_CLIENT (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->client_certificate);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (till_sync_client_parent_class)->finalize (object);
}

static void
till_sync_client_class_init (TillSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_sync_client_finalize;
}

static void
till_sync_client_init (TillSyncClient *self)
{
}

/**
 * till_sync_client_new:
 *
 * A client that trusts HQ only through the CA in @ca_path and shows the
 * till's certificate from @cert_path and @key_path. Fails when a file cannot
 * be read or @url is not an https URL.
 */
TillSyncClient *
till_sync_client_new (const char *url,
                      const char *ca_path,
                      const char *cert_path,
                      const char *key_path,
                      guint       timeout_s,
                      GError    **error)
{
  g_autoptr (TillSyncClient) self = NULL;
  g_autoptr (GTlsDatabase) ca_database = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (ca_path != NULL, NULL);
  g_return_val_if_fail (cert_path != NULL, NULL);
  g_return_val_if_fail (key_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &local_error);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
      g_uri_get_host (uri) == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("“%s” is not the https URL of HQ"), url);
      return NULL;
    }

  self = g_object_new (TILL_TYPE_SYNC_CLIENT, NULL);
  self->url = g_strdup (url);
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';

  ca_database = g_tls_file_database_new (ca_path, &local_error);
  if (ca_database == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("HQ’s CA certificate %s cannot be read: %s"), ca_path, local_error->message);
      return NULL;
    }
  self->client_certificate = g_tls_certificate_new_from_files (cert_path, key_path, &local_error);
  if (self->client_certificate == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED,
                   _ ("The till’s certificate %s cannot be read: %s"), cert_path,
                   local_error->message);
      return NULL;
    }

  /* No proxy from the environment: HQ is reached directly (a proxy would also
   * see every sale), and tests on loopback must never be proxied. */
  self->session = soup_session_new_with_options ("timeout", timeout_s, "idle-timeout", 60,
                                                 "user-agent", "opentill/" PACKAGE_VERSION, NULL);
  soup_session_set_proxy_resolver (self->session, NULL);
  soup_session_set_tls_database (self->session, ca_database);

  return g_steal_pointer (&self);
}

/**
 * till_sync_client_push:
 *
 * Posts one batch body as it is, with its signature and idempotency key, and
 * returns HQ's ack (its countersignature is checked by till_sync_apply_ack).
 */
TillWireAck *
till_sync_client_push (TillSyncClient *self,
                       GBytes         *body,
                       const char     *signature_b64,
                       const char     *idempotency_key,
                       GError        **error)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *url = NULL;
  TillWireAck     *ack;

  g_return_val_if_fail (TILL_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (signature_b64 != NULL, NULL);
  g_return_val_if_fail (idempotency_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  url = g_strconcat (self->url, "/v1/push", NULL);
  message = soup_message_new (SOUP_METHOD_POST, url);
  if (message == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("“%s” is not a valid URL"),
                   url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Idempotency-Key",
                                idempotency_key);
  soup_message_headers_replace (soup_message_get_request_headers (message), "X-Opentill-Signature",
                                signature_b64);
  soup_message_set_request_body_from_bytes (message, "application/json", body);

  reply = send_message (self, message, _ ("Sending sales to HQ"), error);
  if (reply == NULL)
    return NULL;
  ack = till_wire_ack_decode (reply, &local_error);
  if (ack == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s acknowledgement cannot be read: %s"), local_error->message);
      return NULL;
    }
  return ack;
}

/**
 * till_sync_client_pull:
 *
 * Fetches one page of @channel after @since. A cursor HQ no longer serves is
 * TILL_SYNC_ERROR_GONE: the caller reloads the channel.
 */
TillWirePage *
till_sync_client_pull (
    TillSyncClient *self, const char *channel, gint64 since, guint limit, GError **error)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (TillWirePage) page = NULL;
  g_autofree char *escaped_channel = NULL;
  g_autofree char *url = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (TILL_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (since >= 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  escaped_channel = g_uri_escape_string (channel, NULL, FALSE);
  url = g_strdup_printf ("%s/v1/changes?channel=%s&since=%" G_GINT64_FORMAT "&limit=%u", self->url,
                         escaped_channel, since, limit);
  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_FAILED, _ ("“%s” is not a valid URL"),
                   url);
      return NULL;
    }

  what = g_strdup_printf (_ ("Fetching %s from HQ"), channel);
  reply = send_message (self, message, what, error);
  if (reply == NULL)
    return NULL;
  page = till_wire_page_decode (reply, &local_error);
  if (page == NULL)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ’s page of %s cannot be read: %s"), channel, local_error->message);
      return NULL;
    }
  if (g_strcmp0 (page->channel, channel) != 0)
    {
      g_set_error (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_PROTOCOL,
                   _ ("HQ answered a request for %s with a page of %s"), channel,
                   page->channel != NULL ? page->channel : "?");
      return NULL;
    }
  return g_steal_pointer (&page);
}

/**
 * till_sync_client_set_cancellable:
 *
 * Requests wait on @cancellable from now on: cancelling it (from any
 * thread) ends the wait at once with an OFFLINE error, as a till that is
 * shutting down needs.
 */
void
till_sync_client_set_cancellable (TillSyncClient *self, GCancellable *cancellable)
{
  g_return_if_fail (TILL_IS_SYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_set_object (&self->cancellable, cancellable);
}
