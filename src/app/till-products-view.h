/* till-products-view.h: the products and prices page of the back office
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal "closed": Back was tapped. Its acts are "products.*" actions. */
#define TILL_TYPE_PRODUCTS_VIEW (till_products_view_get_type ())
G_DECLARE_FINAL_TYPE (TillProductsView, till_products_view, TILL, PRODUCTS_VIEW, GtkWidget)

void till_products_view_set_session (TillProductsView *self, TillSession *session);
/* Called each time the page is shown: reads everything again. */
void till_products_view_reset (TillProductsView *self);

G_END_DECLS
