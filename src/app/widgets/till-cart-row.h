/* till-cart-row.h: one line of the cart on screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <till-core.h>

G_BEGIN_DECLS

#define TILL_TYPE_CART_ROW (till_cart_row_get_type ())
G_DECLARE_FINAL_TYPE (TillCartRow, till_cart_row, TILL, CART_ROW, GtkWidget)

GtkWidget *till_cart_row_new (void);
/* Shows line (NULL = nothing) and follows its changes; position counts from 0. */
void          till_cart_row_set_line (TillCartRow *self, TillCartLine *line, guint position);
TillCartLine *till_cart_row_get_line (TillCartRow *self);

const char *till_cart_row_get_detail_text (TillCartRow *self);

G_END_DECLS
