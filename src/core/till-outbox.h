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

G_END_DECLS
