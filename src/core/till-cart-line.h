/* till-cart-line.h: one line of the open sale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-product.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_TYPE_CART_LINE (till_cart_line_get_type ())
G_DECLARE_FINAL_TYPE (TillCartLine, till_cart_line, TILL, CART_LINE, GObject)

/* Properties: "product", "quantity", "unit-price", "amount" (all notify). The cart
 * owns lines and is the only one that changes them. */
TillCartLine *till_cart_line_new (TillProduct *product,
                                  gint64       quantity,
                                  gint64       unit_price) G_GNUC_WARN_UNUSED_RESULT;
TillProduct  *till_cart_line_get_product (TillCartLine *self);
gint64        till_cart_line_get_quantity (TillCartLine *self);
void          till_cart_line_set_quantity (TillCartLine *self, gint64 quantity);
gint64        till_cart_line_get_unit_price (TillCartLine *self);
gint64        till_cart_line_get_amount (TillCartLine *self);

G_END_DECLS
