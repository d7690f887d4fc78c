/* till-sync.h: one round of sync, in steps
 *
 * The steps that touch the database (build a batch, apply an ack, apply a
 * page) run on the thread that owns the store; the steps that wait on the
 * network (till-sync-client) may run on another. TillSyncWorker splits them
 * across its thread and the main loop; till_sync_run() does everything on
 * the calling thread (opentill-admin sync, tests, benches).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <till-core.h>

#include "till-sync-client.h"

G_BEGIN_DECLS

/* A batch ready to send: the body, its signature and idempotency key. NULL
 * (and no error) when nothing is pending. */
typedef struct
{
  GBytes *body;
  char   *signature; /* base64 */
  char   *key;       /* Idempotency-Key */
  gint64  first_seq;
  gint64  last_seq;
  guint   n_items;
  char   *head_hash; /* what HQ must countersign */
  gint64  head_seq;
} TillSyncBatch;

void till_sync_batch_free (TillSyncBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillSyncBatch, till_sync_batch_free)

TillSyncBatch *till_sync_build_batch (TillStore              *store,
                                      TillJournal            *journal,
                                      const TillSyncIdentity *identity,
                                      gint64                  now_us,
                                      GError                **error) G_GNUC_WARN_UNUSED_RESULT;

/* Checks HQ's countersignature with the identity's hq_key, then marks what
 * it acknowledged. *out_progress is TRUE when rows of @batch were
 * acknowledged (they left the queue). */
gboolean till_sync_apply_ack (TillStore              *store,
                              const TillSyncIdentity *identity,
                              const TillSyncBatch    *batch,
                              const TillWireAck      *ack,
                              gint64                  now_us,
                              gboolean               *out_progress,
                              GError                **error);

/* Applies a page (till_master_data_apply_page with the wire rows), and when
 * the channel is items or prices, the prices in force. *out_drift as there. */
gboolean till_sync_apply_page (
    TillStore *store, const TillWirePage *page, gint64 now_us, gboolean *out_drift, GError **error);

/* Pushes until nothing is pending (or HQ stops acknowledging), then pulls
 * every channel to its end, on the calling thread. *out_pushed counts the
 * documents HQ acknowledged. */
gboolean till_sync_run (TillStore      *store,
                        TillJournal    *journal,
                        TillSyncClient *client,
                        guint          *out_pushed,
                        GError        **error);

/* A client for the store's identity (TILL_SYNC_STATE_ERROR_NOT_ENROLLED
 * before enrollment). */
TillSyncClient *till_sync_client_new_for_store (TillStore *store,
                                                guint      timeout_s,
                                                GError   **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
