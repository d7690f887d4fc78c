/* till-sale-note.h: complaints and after-sales notes (售后) attached to a sale
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

#define TILL_SALE_NOTE_ERROR (till_sale_note_error_quark ())

typedef enum
{
  TILL_SALE_NOTE_ERROR_FAILED,
  TILL_SALE_NOTE_ERROR_EMPTY,     /* no text */
  TILL_SALE_NOTE_ERROR_TOO_LONG,  /* over TILL_SALE_NOTE_MAX_CHARS characters */
  TILL_SALE_NOTE_ERROR_NOT_FOUND, /* no such sale */
} TillSaleNoteError;

#define TILL_SALE_NOTE_MAX_CHARS 500

typedef enum
{
  TILL_SALE_NOTE_COMPLAINT,   /* "complaint", 投诉 */
  TILL_SALE_NOTE_AFTER_SALES, /* "after-sales", 售后: repair, replacement, follow-up */
} TillSaleNoteKind;

typedef struct
{
  gint64           id;
  char            *sale_uuid;
  TillSaleNoteKind kind;
  char            *text;
  char            *user_code;
  char            *user_name;
  gint64           created_us;
} TillSaleNote;

GQuark      till_sale_note_error_quark (void);
void        till_sale_note_free (TillSaleNote *note);
const char *till_sale_note_kind_to_string (TillSaleNoteKind kind);
const char *till_sale_note_kind_get_label (TillSaleNoteKind kind); /* translated */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillSaleNote, till_sale_note_free)

/* Attaches a note to the recorded sale @sale_uuid in one transaction: the
 * note row, a signed "sale-note" journal entry and an outbox row for HQ. The
 * text is trimmed; any signed-in user may write one. Returns the note's id,
 * or 0 with @error set. */
gint64 till_sale_note_add (TillStore       *store,
                           TillJournal     *journal,
                           TillUser        *user,
                           const char      *sale_uuid,
                           TillSaleNoteKind kind,
                           const char      *text,
                           GError         **error);
/* The notes on @sale_uuid, oldest first: TillSaleNote elements. */
GPtrArray *till_sale_note_list (TillStore *store, const char *sale_uuid, GError **error);

G_END_DECLS
