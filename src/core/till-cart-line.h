/* till-cart-line.h: one line of the open sale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-pricing.h"
#include "till-product.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_TYPE_CART_LINE (till_cart_line_get_type ())
G_DECLARE_FINAL_TYPE (TillCartLine, till_cart_line, TILL, CART_LINE, GObject)

/* Properties: "product", "quantity", "unit-price", "amount" (all notify). The cart
 * owns lines and is the only one that changes them.
 *
 * A line's money, in this order:
 *   gross              = unit price × quantity, half-up to the fen
 *   line discount      = gross × discount_bp / 10000, half-up to the fen
 *   promotion discount = the promotions' shares of this line (the cart's
 *                        pricing engine, till-pricing.h; 0 when the line has a
 *                        manual price or discount: promotions leave it alone)
 *   sale discount      = this line's share of the whole-sale discount (the cart
 *                        splits it, see till_cart_set_sale_discount())
 *   amount             = gross − line discount − promotion discount − sale discount
 * The unit price is the price charged; the original price is what it was when
 * the line was rung up (the catalog or label price) and differs only after a
 * price override. */
TillCartLine *till_cart_line_new (TillProduct *product,
                                  gint64       quantity,
                                  gint64       unit_price) G_GNUC_WARN_UNUSED_RESULT;
TillCartLine *till_cart_line_new_full (TillProduct *product,
                                       gint64       quantity,
                                       gint64       unit_price,
                                       gint64       original_price,
                                       int          discount_bp) G_GNUC_WARN_UNUSED_RESULT;
TillProduct  *till_cart_line_get_product (TillCartLine *self);
gint64        till_cart_line_get_quantity (TillCartLine *self);
void          till_cart_line_set_quantity (TillCartLine *self, gint64 quantity);
gint64        till_cart_line_get_unit_price (TillCartLine *self);
gint64        till_cart_line_get_original_price (TillCartLine *self);
gboolean      till_cart_line_has_price_override (TillCartLine *self);
int           till_cart_line_get_discount_bp (TillCartLine *self);
gint64        till_cart_line_get_gross_amount (TillCartLine *self);
gint64        till_cart_line_get_line_discount (TillCartLine *self);
gint64        till_cart_line_get_sale_discount (TillCartLine *self);
gint64        till_cart_line_get_promotion_discount (TillCartLine *self);
/* (element-type TillPricingShare) (transfer none): each promotion's share of
 * this line, in the order they applied; never NULL, often empty. */
GArray *till_cart_line_get_promotions (TillCartLine *self);
/* The promotion that put this line in the cart as a gift (赠品, a zero-price
 * line the cart adds and removes as the promotion comes and goes), or NULL. */
const char *till_cart_line_get_gift_code (TillCartLine *self);
/* Whether promotions may touch the line: not when its price was overridden
 * or it has a manual line discount (the cashier's word is final), nor a gift. */
gboolean till_cart_line_takes_promotions (TillCartLine *self);
/* gross minus the line and promotion discounts: what the whole-sale discount
 * is split over */
gint64 till_cart_line_get_net_before_sale_discount (TillCartLine *self);
gint64 till_cart_line_get_amount (TillCartLine *self);

/* For the cart only, after it journaled the change. */
void _till_cart_line_set_unit_price (TillCartLine *self, gint64 unit_price);
void _till_cart_line_set_discount_bp (TillCartLine *self, int discount_bp);
void _till_cart_line_set_sale_discount (TillCartLine *self, gint64 sale_discount);
/* @shares (TillPricingShare, transfer full, NULL: none) and their sum. */
void          _till_cart_line_set_promotions (TillCartLine *self, GArray *shares);
TillCartLine *_till_cart_line_new_gift (TillProduct *product,
                                        gint64       quantity,
                                        const char  *gift_code) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
