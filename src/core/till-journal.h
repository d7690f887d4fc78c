/* till-journal.h: the append-only, hash-chained, signed record of what the till did
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_JOURNAL_ERROR (till_journal_error_quark ())

typedef enum
{
  TILL_JOURNAL_ERROR_FAILED,
  TILL_JOURNAL_ERROR_KEY, /* the signing key cannot be read, written or is not Ed25519 */
  TILL_JOURNAL_ERROR_NOT_IN_TRANSACTION,
  TILL_JOURNAL_ERROR_BROKEN, /* verification found a bad entry */
} TillJournalError;

#define TILL_JOURNAL_HASH_LEN 32

/* Entry i stores prev_hash = entry_hash(i-1) (32 zero bytes for the first), and
 * entry_hash = SHA-256 over (seq, kind, ref, created, SHA-256(body), prev_hash) in a
 * fixed binary layout; sig = Ed25519(entry_hash) with the till's key. */
#define TILL_TYPE_JOURNAL (till_journal_get_type ())
G_DECLARE_FINAL_TYPE (TillJournal, till_journal, TILL, JOURNAL, GObject)

GQuark till_journal_error_quark (void);

/* Loads the till's Ed25519 key from key_path, creating it (mode 0600) on first
 * start. */
TillJournal *
till_journal_new (TillStore *store, const char *key_path, GError **error) G_GNUC_WARN_UNUSED_RESULT;
TillStore *till_journal_get_store (TillJournal *self);
/* An entry hash (TILL_JOURNAL_HASH_LEN bytes) as lower-case hex. */
char *till_journal_hash_to_hex (const guint8 *hash) G_GNUC_WARN_UNUSED_RESULT;

/* Must run inside a store transaction (the caller's). */
gboolean till_journal_append (TillJournal *self,
                              const char  *kind,
                              const char  *ref_uuid,
                              gint64       created_us,
                              GBytes      *body,
                              gint64      *out_seq,
                              guint8       out_hash[TILL_JOURNAL_HASH_LEN],
                              GError     **error);

/* Checks every entry's chain link, hash and signature against this journal's
 * public key, and that seq has no gaps. On failure returns FALSE with
 * TILL_JOURNAL_ERROR_BROKEN and *out_bad_seq set to the first bad entry. */
gboolean till_journal_verify (TillJournal *self, gint64 *out_bad_seq, GError **error);
GBytes  *till_journal_get_public_key (TillJournal *self);

/* The newest entry: its seq and entry hash as hex (0 and 64 zeros for an
 * empty journal). */
gboolean
till_journal_get_head (TillJournal *self, gint64 *out_seq, char **out_hash_hex, GError **error);
/* A detached Ed25519 signature over @data with the till's key, base64: the
 * signature on each sync batch, verified by HQ with the key registered at
 * enrollment. */
char *till_journal_sign_base64 (TillJournal *self, GBytes *data) G_GNUC_WARN_UNUSED_RESULT;
/* The public key as base64 of its 32 raw bytes. */
char *till_journal_dup_public_key_base64 (TillJournal *self) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
