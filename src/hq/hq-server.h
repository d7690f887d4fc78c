/* hq-server.h: opentill-hq's HTTPS endpoints (libsoup 3) over an HqStore
 *
 *   POST /v1/enroll    token + CSR → certificate, till id, epoch (no client cert)
 *   POST /v1/push      a signed batch → the ack (client cert required)
 *   GET  /v1/changes   one master-data page (client cert required)
 *   GET  /v1/health    "ok" (no client cert)
 *
 * The till is known by its client certificate alone (hq_ca_check_client,
 * then hq_store_find_till_by_certificate); a push whose body signature does
 * not verify with the till's journal key gets 401. docs/sync-api.md lists
 * every status.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hq-ca.h"
#include "hq-store.h"

G_BEGIN_DECLS

#define HQ_TYPE_SERVER (hq_server_get_type ())
G_DECLARE_FINAL_TYPE (HqServer, hq_server, HQ, SERVER, GObject)

HqServer *hq_server_new (HqStore *store, HqCa *ca);
/* Listens on @address:@port (port 0 = any free one) with TLS; returns the
 * port. Requests are served on the thread-default main context of the
 * caller. */
guint hq_server_listen (HqServer *self, const char *address, guint port, GError **error);
/* "https://127.0.0.1:PORT" once listening. */
const char *hq_server_get_url (HqServer *self);
void        hq_server_disconnect (HqServer *self);

G_END_DECLS
