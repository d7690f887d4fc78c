/* till-outbox.c: what the till owes HQ, queued in the transaction that records it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-outbox"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "till-outbox.h"
#include "till-store.h"

/**
 * till_outbox_append:
 * Writes the outbox row of one recorded document; see the header for the
 * payload's form.
 */
gboolean
till_outbox_append (TillStore  *store,
                    const char *kind,
                    const char *payload_key,
                    const char *ref_uuid,
                    const char *body_json,
                    gint64      journal_seq,
                    const char *journal_hash_hex,
                    gint64      created_us,
                    GError    **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *payload = NULL;
  guint8           payload_sha256[32];
  gsize            digest_len = sizeof payload_sha256;
  gsize            payload_len;

  g_return_val_if_fail (kind != NULL && payload_key != NULL && ref_uuid != NULL, FALSE);
  g_return_val_if_fail (body_json != NULL && journal_hash_hex != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  payload = g_strdup_printf ("{\"%s\":%s,\"journal_seq\":%" PRId64 ",\"journal_hash\":\"%s\"}",
                             payload_key, body_json, journal_seq, journal_hash_hex);
  payload_len = strlen (payload);
  g_checksum_update (checksum, (const guchar *) payload, (gssize) payload_len);
  g_checksum_get_digest (checksum, payload_sha256, &digest_len);

  stmt = till_store_prepare (store,
                             "INSERT INTO outbox (kind, ref_uuid, payload, payload_sha256, "
                             "created_us) VALUES (?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ref_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, payload, (int) payload_len, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 4, payload_sha256, (int) digest_len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, created_us);
  return till_store_step_done (store, stmt, error);
}
