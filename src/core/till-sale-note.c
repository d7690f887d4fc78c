/* till-sale-note.c: complaints and after-sales notes attached to a sale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sale-note"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-outbox.h"
#include "till-uuid.h"
#include "till-sale-note.h"
#include "till-store.h"
#include "till-user.h"

G_DEFINE_QUARK (till_sale_note_error_quark, till_sale_note_error)

/* Indexed by TillSaleNoteKind; the names are what sale_note.kind holds. */
static const char *const kind_names[] = { "complaint", "after-sales" };

G_STATIC_ASSERT (G_N_ELEMENTS (kind_names) == TILL_SALE_NOTE_AFTER_SALES + 1);

static gboolean
kind_from_string (const char *text, TillSaleNoteKind *out_kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_strcmp0 (text, kind_names[i]) == 0)
      {
        *out_kind = (TillSaleNoteKind) i;
        return TRUE;
      }
  return FALSE;
}

/* Checks the text as the cashier typed it; returns it trimmed, or NULL. */
static char *
clean_text (const char *text, GError **error)
{
  g_autofree char *trimmed = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_FAILED,
                   _ ("The note is not valid text"));
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    {
      g_set_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_EMPTY,
                   _ ("Write the note first"));
      return NULL;
    }
  if (g_utf8_strlen (trimmed, -1) > TILL_SALE_NOTE_MAX_CHARS)
    {
      g_set_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_TOO_LONG,
                   _ ("A note may have at most %d characters"), TILL_SALE_NOTE_MAX_CHARS);
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

static gboolean
sale_exists (TillStore *store, const char *sale_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  stmt = till_store_prepare (store, "SELECT 1 FROM sale WHERE uuid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, TILL_SALE_NOTE_ERROR, TILL_SALE_NOTE_ERROR_NOT_FOUND,
                 _ ("There is no such sale to attach a note to"));
  else
    till_store_set_error (store, error, _ ("Cannot read the sale"));
  return FALSE;
}

static gint64
insert_note (TillStore       *store,
             TillUser        *user,
             const char      *sale_uuid,
             TillSaleNoteKind kind,
             const char      *text,
             gint64           created_us,
             gint64           journal_seq,
             GError         **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (store,
                             "INSERT INTO sale_note (sale_uuid, kind, text, user_code, user_name, "
                             "created_us, journal_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                             error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, kind_names[kind], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, text, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, till_user_get_code (user), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, till_user_get_name (user), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, created_us);
  sqlite3_bind_int64 (stmt, 7, journal_seq);
  if (!till_store_step_done (store, stmt, error))
    return 0;
  return sqlite3_last_insert_rowid (till_store_get_db (store));
}

void
till_sale_note_free (TillSaleNote *note)
{
  if (note == NULL)
    return;
  g_free (note->sale_uuid);
  g_free (note->text);
  g_free (note->user_code);
  g_free (note->user_name);
  g_free (note);
}

const char *
till_sale_note_kind_to_string (TillSaleNoteKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

const char *
till_sale_note_kind_get_label (TillSaleNoteKind kind)
{
  switch (kind)
    {
    case TILL_SALE_NOTE_COMPLAINT:
      return _ ("Complaint");
    case TILL_SALE_NOTE_AFTER_SALES:
      return _ ("After-sales");
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * till_sale_note_add:
 * @store: the till's store, outside a transaction
 * @journal: the till's journal, on @store
 * @user: who writes the note
 * @sale_uuid: a recorded sale
 * @kind: complaint or after-sales
 * @text: the note, at most %TILL_SALE_NOTE_MAX_CHARS characters once trimmed
 *
 * Returns: the note's id, or 0 with @error set (nothing recorded)
 */
gint64
till_sale_note_add (TillStore       *store,
                    TillJournal     *journal,
                    TillUser        *user,
                    const char      *sale_uuid,
                    TillSaleNoteKind kind,
                    const char      *text,
                    GError         **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *note_uuid = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GString *body;
  guint8   journal_hash[TILL_JOURNAL_HASH_LEN];
  gint64   journal_seq = 0;
  gint64   created_us = g_get_real_time ();
  gint64   note_id;

  g_return_val_if_fail (TILL_IS_STORE (store), 0);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), 0);
  g_return_val_if_fail (till_journal_get_store (journal) == store, 0);
  g_return_val_if_fail (TILL_IS_USER (user), 0);
  g_return_val_if_fail (sale_uuid != NULL, 0);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), 0);
  g_return_val_if_fail (!till_store_in_transaction (store), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  clean = clean_text (text, error);
  if (clean == NULL)
    return 0;
  if (!till_store_begin (store, error))
    return 0;
  if (!sale_exists (store, sale_uuid, error))
    goto fail;

  /* A sale may get several notes: each is its own document for HQ, which
   * takes a document once per (kind, uuid). */
  note_uuid = till_uuid_v7_new ();
  body = g_string_new ("{");
  _till_json_add_string (body, "uuid", note_uuid);
  _till_json_add_string (body, "sale_uuid", sale_uuid);
  _till_json_add_string (body, "kind", kind_names[kind]);
  _till_json_add_string (body, "text", clean);
  _till_json_add_user (body, user);
  _till_json_add_int (body, "created_us", created_us);
  g_string_append_c (body, '}');
  bytes = g_string_free_to_bytes (body);
  if (!till_journal_append (journal, "sale-note", sale_uuid, created_us, bytes, &journal_seq,
                            journal_hash, error))
    goto fail;
  note_id = insert_note (store, user, sale_uuid, kind, clean, created_us, journal_seq, error);
  if (note_id == 0)
    goto fail;
  {
    g_autofree char *note_json =
        g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

    g_autofree char *hash_hex = till_journal_hash_to_hex (journal_hash);

    if (!till_outbox_append (store, "sale-note", "sale_note", note_uuid, note_json, journal_seq,
                             hash_hex, created_us, error))
      goto fail;
  }
  if (!till_store_commit (store, error))
    goto fail;
  return note_id;

fail:
  till_store_rollback (store);
  return 0;
}

/**
 * till_sale_note_list:
 *
 * Returns: (transfer full) (element-type TillSaleNote): the notes on
 *   @sale_uuid, oldest first, or %NULL with @error set
 */
GPtrArray *
till_sale_note_list (TillStore *store, const char *sale_uuid, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) notes = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (sale_uuid != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (store,
                             "SELECT id, kind, text, user_code, user_name, created_us "
                             "FROM sale_note WHERE sale_uuid = ? ORDER BY created_us, id",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, sale_uuid, -1, SQLITE_STATIC);
  notes = g_ptr_array_new_with_free_func ((GDestroyNotify) till_sale_note_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      TillSaleNote *note = g_new0 (TillSaleNote, 1);

      note->id = sqlite3_column_int64 (stmt, 0);
      note->sale_uuid = g_strdup (sale_uuid);
      if (!kind_from_string ((const char *) sqlite3_column_text (stmt, 1), &note->kind))
        note->kind = TILL_SALE_NOTE_AFTER_SALES; /* the CHECK keeps others out */
      note->text = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      note->user_code = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      note->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      note->created_us = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (notes, note);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (store, error, _ ("Cannot read the sale's notes"));
      return NULL;
    }
  return g_steal_pointer (&notes);
}
