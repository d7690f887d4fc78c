/* till-return-view.h: returns (退货): find the sale, pick what comes back, refund; exchanges and no-receipt returns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal: "closed": the cashier or manager is done (Back). */
#define TILL_TYPE_RETURN_VIEW (till_return_view_get_type ())
G_DECLARE_FINAL_TYPE (TillReturnView, till_return_view, TILL, RETURN_VIEW, GtkWidget)

void till_return_view_set_session (TillReturnView *self, TillSession *session);
/* Back to the start of the screen, forgetting anything half done. */
void till_return_view_reset (TillReturnView *self);

/* Looks up the sale of a scanned receipt QR (OT1 payload) or a typed receipt
 * number and shows its lines to pick from, or says why it cannot. */
void till_return_view_find_receipt (TillReturnView *self, const char *code);

G_END_DECLS
