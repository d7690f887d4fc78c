/* till-outbox.h: what the till owes HQ, queued in the transaction that records it
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

/* Queues one document for HQ inside the caller's transaction: an outbox row
 * of @kind ("sale", "return", "sale-note", …) for @ref_uuid whose payload is
 *
 *   {"<payload_key>":<body_json>,"journal_seq":N,"journal_hash":"<hex>"}
 *
 * so that HQ can check each document against the journal chain as it
 * arrives, with the payload's SHA-256 beside it. */
gboolean till_outbox_append (TillStore  *store,
                             const char *kind,
                             const char *payload_key,
                             const char *ref_uuid,
                             const char *body_json,
                             gint64      journal_seq,
                             const char *journal_hash_hex,
                             gint64      created_us,
                             GError    **error);

/* --- Delivery to HQ (src/sync reads and acknowledges through these) --------- */

/* One queued document, as it goes upstream. */
typedef struct
{
  gint64  seq;
  char   *kind;
  char   *ref_uuid;
  GBytes *payload;
  char   *sha256; /* hex */
} TillOutboxItem;

void till_outbox_item_free (TillOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillOutboxItem, till_outbox_item_free)

/* The oldest rows not yet acknowledged, in seq order: at most @max_items, and
 * no more than @max_bytes of payload (but always at least one row). */
GPtrArray *till_outbox_read_pending (TillStore *store,
                                     guint      max_items,
                                     gsize      max_bytes,
                                     GError   **error) G_GNUC_WARN_UNUSED_RESULT;

/* The highest seq already acknowledged by HQ (0 when none): what the till
 * never sends again. */
gint64 till_outbox_get_acked_through (TillStore *store, GError **error);

/* HQ's ack, in ONE transaction: rows up to @acked_through become acked, the
 * countersigned head goes into hq_ack for @epoch, and rows HQ rejected or
 * found in conflict (@failed_seqs with @failed_reasons, same length) keep
 * their reason in last_error and count an attempt. Rows above
 * @acked_through stay pending: they are sent again. */
gboolean till_outbox_apply_ack (TillStore         *store,
                                guint32            epoch,
                                gint64             acked_through,
                                gint64             head_seq,
                                const char        *head_hash,
                                const char        *countersig,
                                const gint64      *failed_seqs,
                                const char *const *failed_reasons,
                                guint              n_failed,
                                gint64             now_us,
                                GError           **error);

/* How many rows wait for HQ's acknowledgement (an index count: cheap), or -1. */
gint64 till_outbox_count_pending (TillStore *store, GError **error);

typedef struct
{
  gint64 pending;           /* rows not acknowledged */
  gint64 pending_bytes;     /* their payload bytes */
  gint64 oldest_pending_us; /* created_us of the oldest, 0 when none */
  gint64 acked_through;
  gint64 last_ack_us;      /* when HQ last acknowledged something, 0 = never */
  gint64 failing_seq;      /* the oldest row HQ rejected, 0 when none */
  gint64 failing_since_us; /* when it was first rejected */
  char  *failing_reason;   /* what HQ said, NULL when none */
} TillOutboxStats;

void     till_outbox_stats_clear (TillOutboxStats *stats);
gboolean till_outbox_get_stats (TillStore *store, TillOutboxStats *out_stats, GError **error);

/* Queues again every acknowledged row from @from_seq on, for an HQ that was
 * restored from a backup and lost what it had acknowledged (it logs an
 * "ack-behind" incident). HQ takes each document once, so what it still
 * holds comes back duplicate. Rows already purged cannot be sent again.
 * Returns how many rows were queued again, or -1. */
gint64 till_outbox_resend_from (TillStore *store, gint64 from_seq, GError **error);

/* Deletes acknowledged rows older than @before_us (kept ≥ 30 days so that a
 * restored HQ can be refilled from its tills). Returns how many went, or -1. */
gint64 till_outbox_purge_acked (TillStore *store, gint64 before_us, GError **error);

G_END_DECLS
