/* till-sync-client.h: the till's HTTPS client for HQ (libsoup 3): push a
 * signed batch, pull a page, enroll. Blocking calls: it is used from the
 * sync worker's thread (or from a command line tool), one thread per
 * client. HQ is trusted only through its CA (the file saved at enrollment)
 * and the till shows its client certificate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-wire.h"

G_BEGIN_DECLS

#define TILL_SYNC_ERROR (till_sync_error_quark ())

typedef enum
{
  TILL_SYNC_ERROR_FAILED,
  TILL_SYNC_ERROR_OFFLINE,  /* HQ could not be reached, or the reply did not come back */
  TILL_SYNC_ERROR_REFUSED,  /* HQ refused who we are: certificate, signature, token (401/403) */
  TILL_SYNC_ERROR_GONE,     /* 410: the pull cursor is too old, reload the channel */
  TILL_SYNC_ERROR_SERVER,   /* HQ failed (5xx): try again later */
  TILL_SYNC_ERROR_PROTOCOL, /* a reply that is not what the protocol says */
  TILL_SYNC_ERROR_TLS,      /* HQ's certificate is not from the pinned CA */
} TillSyncError;

GQuark till_sync_error_quark (void);

#define TILL_TYPE_SYNC_CLIENT (till_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (TillSyncClient, till_sync_client, TILL, SYNC_CLIENT, GObject)

/* @ca_path: HQ's CA (PEM); @cert_path/@key_path: the till's client
 * certificate and key (PEM). @timeout_s bounds each request. */
TillSyncClient *till_sync_client_new (const char *url,
                                      const char *ca_path,
                                      const char *cert_path,
                                      const char *key_path,
                                      guint       timeout_s,
                                      GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* POST /v1/push. The ack's countersignature is checked by
 * till_sync_apply_ack, with the key saved at enrollment. */
TillWireAck *till_sync_client_push (TillSyncClient *self,
                                    GBytes         *body,
                                    const char     *signature_b64,
                                    const char     *idempotency_key,
                                    GError        **error) G_GNUC_WARN_UNUSED_RESULT;
/* GET /v1/changes. */
TillWirePage *till_sync_client_pull (TillSyncClient *self,
                                     const char     *channel,
                                     gint64          since,
                                     guint           limit,
                                     GError        **error) G_GNUC_WARN_UNUSED_RESULT;

/* Requests wait on @cancellable from now on; cancelling it from any thread
 * ends a wait at once (an OFFLINE error). */
void till_sync_client_set_cancellable (TillSyncClient *self, GCancellable *cancellable);

G_END_DECLS
