/* till-stock-view.h: the stock page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. Its acts are "stock.*" actions. */
#define TILL_TYPE_STOCK_VIEW (till_stock_view_get_type ())
G_DECLARE_FINAL_TYPE (TillStockView, till_stock_view, TILL, STOCK_VIEW, GtkWidget)

void till_stock_view_set_session (TillStockView *self, TillSession *session);
/* Called each time the page is shown: reads everything again. */
void till_stock_view_reset (TillStockView *self);

G_END_DECLS
