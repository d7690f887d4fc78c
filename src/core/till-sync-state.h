/* till-sync-state.h: what the till knows of HQ: its enrollment (till id,
 * store, epoch, where HQ is and the files of its client certificate), and
 * the offline limits of SYNC.md §5 6.7 (oldest unsent sale, queue size, free
 * disk), which warn, and block new sales only where the store said so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_SYNC_STATE_ERROR (till_sync_state_error_quark ())

typedef enum
{
  TILL_SYNC_STATE_ERROR_FAILED,
  TILL_SYNC_STATE_ERROR_NOT_ENROLLED,
  TILL_SYNC_STATE_ERROR_LIMIT,    /* an offline limit the store made blocking is exceeded */
  TILL_SYNC_STATE_ERROR_RESTORED, /* HQ holds more of this till than its database: restored
                                     from a backup; selling stops until it is enrolled again */
} TillSyncStateError;

GQuark till_sync_state_error_quark (void);

/* Settings (table setting) behind the identity: till.id, sync.url,
 * sync.store, sync.epoch, sync.hq-key, sync.cert, sync.key, sync.ca,
 * sync.enrolled-us. */
typedef struct
{
  char   *url;      /* "https://hq.example.com:8443" */
  char   *till_id;  /* "S001-01" */
  char   *store_id; /* "S001" */
  guint32 epoch;
  char   *hq_key;    /* HQ's ack-countersigning key, base64 raw Ed25519 */
  char   *cert_path; /* the till's client certificate (PEM) */
  char   *key_path;  /* its private key (PEM, 0600) */
  char   *ca_path;   /* HQ's CA (PEM): the only one trusted for HQ */
  gint64  enrolled_us;
} TillSyncIdentity;

void till_sync_identity_free (TillSyncIdentity *identity);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillSyncIdentity, till_sync_identity_free)

/* HQ acknowledged more of this till than its database ever queued (the
 * database was restored from a backup, SYNC.md §6 #19): remembered in the
 * setting sync.restored-us, which stops new sales (till_sync_allow_new_sale)
 * until the till is enrolled again (a new epoch, so no seq is reused) and
 * till_sync_identity_save clears it. till_outbox_apply_ack calls it. */
gboolean till_sync_mark_restored (TillStore *store, gint64 now_us, GError **error);

/* Contact with HQ, for the offline caps of stored value and points
 * (issue 9): the sync round records each round that reached HQ (setting
 * sync.last-contact-us). An enrolled till is offline at @now_us when it had
 * no contact for more than 2 minutes; *out_since_us is then the last contact
 * (the enrollment when there was none). A standalone till is never offline. */
gboolean till_sync_record_contact (TillStore *store, gint64 now_us, GError **error);
gboolean till_sync_offline_since (TillStore *store, gint64 now_us, gint64 *out_since_us);

/* NULL with TILL_SYNC_STATE_ERROR_NOT_ENROLLED before enrollment. */
TillSyncIdentity *till_sync_identity_load (TillStore *store,
                                           GError   **error) G_GNUC_WARN_UNUSED_RESULT;
/* Saves it in ONE transaction with a journal entry "enroll" naming the till
 * id, store, epoch and URL. From then on sales carry the new till id. */
gboolean till_sync_identity_save (TillStore              *store,
                                  TillJournal            *journal,
                                  const TillSyncIdentity *identity,
                                  gint64                  now_us,
                                  GError                **error);

/* --- Offline limits -----------------------------------------------------------
 * Settings: sync.limit.oldest-hours (72), sync.limit.queue (20000 documents),
 * sync.limit.free-mb (100), and sync.limit.block: a comma list of the
 * limits that block new sales ("oldest", "queue", "disk"; empty by default:
 * every limit only warns). */
typedef enum
{
  TILL_SYNC_LIMIT_NONE = 0,
  TILL_SYNC_LIMIT_OLDEST = 1 << 0,
  TILL_SYNC_LIMIT_QUEUE = 1 << 1,
  TILL_SYNC_LIMIT_DISK = 1 << 2,
} TillSyncLimit;

typedef struct
{
  TillSyncLimit exceeded; /* every limit over its threshold */
  TillSyncLimit blocking; /* those of them the store made blocking */
  gint64        pending;
  gint64        oldest_pending_us; /* 0 when nothing waits */
  guint64       free_bytes;        /* on the database's file system */
  gint64        max_age_us;        /* the thresholds in force */
  gint64        max_pending;
  guint64       min_free_bytes;
} TillSyncLimits;

gboolean till_sync_check_limits (TillStore      *store,
                                 gint64          now_us,
                                 TillSyncLimits *out_limits,
                                 GError        **error);
/* FALSE with TILL_SYNC_STATE_ERROR_RESTORED after till_sync_mark_restored,
 * or with TILL_SYNC_STATE_ERROR_LIMIT and a message for the cashier naming
 * the limit when a blocking limit is exceeded: the cart calls it
 * before it takes the first line of a new sale (a sale under way is never
 * stopped). */
gboolean till_sync_allow_new_sale (TillStore *store, gint64 now_us, GError **error);

G_END_DECLS
