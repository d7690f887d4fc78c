/* till-receipts-dialog.h: today's receipts: find one, reprint it, return from it, note on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-core.h>

#include "till-printer-monitor.h"
#include "till-session.h"

G_BEGIN_DECLS

/* A modal window over the till (小票查询): today's sales, newest first, with a
 * search by receipt number; the picked sale's lines and totals, its
 * after-sales notes, and what can be done with it: reprint a copy (REPRINT,
 * or a supervisor's override), start a return (win.return-receipt on the
 * parent window, closing this one), add a complaint or after-sales note.
 * Actions (group "receipts"): search ("s": a receipt number, "" for all of
 * today), select ("s": a sale uuid), reprint, return, set-note-kind ("s":
 * "complaint" or "after-sales"), add-note ("s": the text), close. */
#define TILL_TYPE_RECEIPTS_DIALOG (till_receipts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (TillReceiptsDialog, till_receipts_dialog, TILL, RECEIPTS_DIALOG, GtkWindow)

/* @monitor: NULL without a printer (Reprint then says so). The newest sale is
 * picked at first. */
TillReceiptsDialog *
till_receipts_dialog_new (GtkWindow *parent, TillSession *session, TillPrinterMonitor *monitor);

/* For tests and the window: what the dialog shows. */
guint       till_receipts_dialog_get_n_sales (TillReceiptsDialog *self);
TillSale   *till_receipts_dialog_get_sale (TillReceiptsDialog *self); /* picked, or NULL */
guint       till_receipts_dialog_get_n_notes (TillReceiptsDialog *self);
const char *till_receipts_dialog_get_message (TillReceiptsDialog *self, gboolean *out_is_error);
/* The supervisor-override dialog while one is open (borrowed), else NULL. */
struct _TillOverrideDialog *till_receipts_dialog_get_override_dialog (TillReceiptsDialog *self);

G_END_DECLS
