/* till-sync-worker.h: the till's background sync
 *
 * Pushes right after each sale (till_sync_worker_kick) and on a timer (10 s),
 * pulls master data on a timer (60 s), and retries with exponential backoff
 * (1 s → 5 min, ±20 % jitter). Network waits run on the worker's own thread;
 * database steps (till-sync.h) run on the main context that created the
 * worker, so the till keeps its one database connection. The status follows
 * SYNC.md §5 6.7: ONLINE → DEGRADED (failing for less than 5 min, nothing
 * shown) → OFFLINE (the header says since when, with the queue) and
 * OFFLINE_LIMIT (an offline limit is exceeded). GNetworkMonitor wakes it when
 * the network comes back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <till-core.h>

G_BEGIN_DECLS

typedef enum
{
  TILL_SYNC_STATUS_NOT_ENROLLED,
  TILL_SYNC_STATUS_ONLINE,
  TILL_SYNC_STATUS_SYNCING,
  TILL_SYNC_STATUS_DEGRADED,
  TILL_SYNC_STATUS_OFFLINE,
  TILL_SYNC_STATUS_OFFLINE_LIMIT,
} TillSyncStatus;

#define TILL_TYPE_SYNC_WORKER (till_sync_worker_get_type ())
G_DECLARE_FINAL_TYPE (TillSyncWorker, till_sync_worker, TILL, SYNC_WORKER, GObject)

TillSyncWorker *till_sync_worker_new (TillStore *store, TillJournal *journal);

/* Loads the identity and starts; a till not enrolled stays NOT_ENROLLED and
 * does nothing until till_sync_worker_reload(). */
void till_sync_worker_start (TillSyncWorker *self);
/* Stops the timers and joins the thread (a request in flight is abandoned:
 * its rows stay pending and go again). */
void till_sync_worker_stop (TillSyncWorker *self);
/* Rereads the identity (after enrollment). */
void till_sync_worker_reload (TillSyncWorker *self);
/* Push now (after a sale), and pull too when @pull. */
void till_sync_worker_kick (TillSyncWorker *self, gboolean pull);

/* For tests and the demo: the push and pull timers, the backoff bounds and
 * how long failures last before OFFLINE, in milliseconds. */
void till_sync_worker_set_timing (TillSyncWorker *self,
                                  guint           push_ms,
                                  guint           pull_ms,
                                  guint           backoff_min_ms,
                                  guint           backoff_max_ms,
                                  guint           offline_after_ms);

/* Properties (notify on the main context): "status", "queued",
 * "in-flight", "offline-since-us", "last-push-us", "last-pull-us",
 * "last-error". */
TillSyncStatus till_sync_worker_get_status (TillSyncWorker *self);
gint64         till_sync_worker_get_queued (TillSyncWorker *self);
guint          till_sync_worker_get_in_flight (TillSyncWorker *self);
gint64         till_sync_worker_get_offline_since_us (TillSyncWorker *self);
gint64         till_sync_worker_get_last_push_us (TillSyncWorker *self);
gint64         till_sync_worker_get_last_pull_us (TillSyncWorker *self);
/* NULL when the last round succeeded. */
const char *till_sync_worker_get_last_error (TillSyncWorker *self);
/* The offline limits as of the last round. */
void till_sync_worker_get_limits (TillSyncWorker *self, TillSyncLimits *out_limits);

/* Signal "pulled" (const char *channel): master data changed; screens that
 * show products or users refresh. */

G_END_DECLS
