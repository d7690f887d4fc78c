/* till-cart.h: the sale being built, journaled to the store on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "till-cart-line.h"
#include "till-money.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_CART_ERROR (till_cart_error_quark ())

typedef enum
{
  TILL_CART_ERROR_FAILED,
  TILL_CART_ERROR_NO_LINE,   /* the position names no line */
  TILL_CART_ERROR_QUANTITY,  /* zero, negative or absurd quantity */
  TILL_CART_ERROR_INACTIVE,  /* the product is no longer sold */
  TILL_CART_ERROR_TOO_LARGE, /* the sale would exceed what one sale may hold */
} TillCartError;

/* A cart is a GListModel of TillCartLine. Properties (read-only, notify):
 * "sale-uuid", "subtotal", "rounding", "total", "item-count", "n-lines".
 *
 * Every change is written to the store before the call returns, so that a till
 * killed at any moment reopens with the same cart (till_cart_restore()). If that
 * write fails, the change is not made and an error is returned. */
#define TILL_TYPE_CART (till_cart_get_type ())
G_DECLARE_FINAL_TYPE (TillCart, till_cart, TILL, CART, GObject)

GQuark till_cart_error_quark (void);

TillCart    *till_cart_new (TillStore *store, TillCatalog *catalog) G_GNUC_WARN_UNUSED_RESULT;
gboolean     till_cart_restore (TillCart *self, GError **error);
TillStore   *till_cart_get_store (TillCart *self);
TillCatalog *till_cart_get_catalog (TillCart *self);
const char  *till_cart_get_sale_uuid (TillCart *self);

/* Counted goods: scanning the same product again adds to its line.
 * Weighed goods: always a line of their own. Returns the line (borrowed). */
TillCartLine *
till_cart_add_product (TillCart *self, TillProduct *product, gint64 quantity, GError **error);
TillCartLine *till_cart_add_barcode (TillCart *self, const char *barcode, GError **error);
TillCartLine *till_cart_add_plu (TillCart *self, const char *plu, gint64 quantity, GError **error);
gboolean till_cart_set_quantity (TillCart *self, guint position, gint64 quantity, GError **error);
gboolean till_cart_remove_line (TillCart *self, guint position, GError **error);
gboolean till_cart_clear (TillCart *self, GError **error);

guint         till_cart_get_n_lines (TillCart *self);
TillCartLine *till_cart_get_line (TillCart *self, guint position);
gint64        till_cart_get_subtotal (TillCart *self);
gint64        till_cart_get_rounding (TillCart *self);
gint64        till_cart_get_total (TillCart *self);
gint64        till_cart_get_item_count (TillCart *self);
TillRounding  till_cart_get_rounding_rule (TillCart *self);
void          till_cart_set_rounding_rule (TillCart *self, TillRounding rule);

/* For the sale commit only: inside the commit's transaction, delete the journaled
 * cart rows; after the commit, start a new empty cart with a new sale uuid. */
gboolean _till_cart_delete_journal (TillCart *self, GError **error);
void     _till_cart_reset (TillCart *self);

G_END_DECLS
