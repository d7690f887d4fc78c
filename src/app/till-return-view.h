/* till-return-view.h: returns (退货): find the sale, pick what comes back, refund; exchanges and
 * no-receipt returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-override-dialog.h"
#include "till-session.h"

G_BEGIN_DECLS

/* Signal: "closed": the cashier or manager is done (Back).
 * Actions: return.close, return.back, return.find ("s": QR payload or number),
 * return.search (day and amount typed), return.open-sale ("s": sale uuid),
 * return.no-receipt, return.increase / return.decrease / return.toggle-line
 * ("u": sale line index), return.pick-all, return.set-reason ("s": reason
 * name), return.add-product ("s": barcode or PLU, without a receipt),
 * return.remove-line ("u"), return.refund, return.exchange and
 * return.exchange-cash ("x": cash received, fen). */
#define TILL_TYPE_RETURN_VIEW (till_return_view_get_type ())
G_DECLARE_FINAL_TYPE (TillReturnView, till_return_view, TILL, RETURN_VIEW, GtkWidget)

void till_return_view_set_session (TillReturnView *self, TillSession *session);
/* Back to the start of the screen, forgetting anything half done. */
void till_return_view_reset (TillReturnView *self);

/* Looks up the sale of a scanned receipt QR (OT1 payload) or a typed receipt
 * number and shows its lines to pick from, or says why it cannot. */
void till_return_view_find_receipt (TillReturnView *self, const char *code);
/* A scanner's code while this screen shows (receipt QR, receipt number, or a
 * product without a receipt). */
void till_return_view_take_scan (TillReturnView *self, const char *code);

/* For tests and the window: what the screen shows. */
const char         *till_return_view_get_page (TillReturnView *self);
const char         *till_return_view_get_message (TillReturnView *self, gboolean *out_is_error);
TillReturn         *till_return_view_get_return (TillReturnView *self);
TillSale           *till_return_view_get_exchange_sale (TillReturnView *self);
TillOverrideDialog *till_return_view_get_override_dialog (TillReturnView *self);
const char         *till_return_view_get_refund_text (TillReturnView *self);
const char         *till_return_view_get_done_amount_text (TillReturnView *self);

G_END_DECLS
