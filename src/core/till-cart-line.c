/* till-cart-line.c: one line of the open sale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-cart-line"

#include "config.h"

#include "till-cart-line.h"
#include "till-money.h"

struct _TillCartLine
{
  GObject parent_instance;

  TillProduct *product;
  gint64       quantity;   /* thousandths */
  gint64       unit_price; /* fen per unit (per kg when weighed) */
};

G_DEFINE_FINAL_TYPE (TillCartLine, till_cart_line, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PRODUCT,
  PROP_QUANTITY,
  PROP_UNIT_PRICE,
  PROP_AMOUNT,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
till_cart_line_dispose (GObject *object)
{
  TillCartLine *self = (TillCartLine *) object;

  g_clear_object (&self->product);

  G_OBJECT_CLASS (till_cart_line_parent_class)->dispose (object);
}

static void
till_cart_line_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillCartLine *self = TILL_CART_LINE (object);

  switch (prop_id)
    {
    case PROP_PRODUCT:
      g_value_set_object (value, self->product);
      break;
    case PROP_QUANTITY:
      g_value_set_int64 (value, self->quantity);
      break;
    case PROP_UNIT_PRICE:
      g_value_set_int64 (value, self->unit_price);
      break;
    case PROP_AMOUNT:
      g_value_set_int64 (value, till_cart_line_get_amount (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_cart_line_class_init (TillCartLineClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = till_cart_line_dispose;
  object_class->get_property = till_cart_line_get_property;

  /* Read-only for everyone but the cart, which changes the quantity through
   * till_cart_line_set_quantity() after journaling the change. */
  properties[PROP_PRODUCT] = g_param_spec_object ("product", NULL, NULL, TILL_TYPE_PRODUCT, flags);
  properties[PROP_QUANTITY] = g_param_spec_int64 ("quantity", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UNIT_PRICE] =
      g_param_spec_int64 ("unit-price", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_AMOUNT] = g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_cart_line_init (TillCartLine *self)
{
}

/**
 * till_cart_line_new:
 * @product: what is sold
 * @quantity: thousandths (grams when weighed, pieces × 1000 otherwise)
 * @unit_price: fen per unit, fixed when the line was added
 *
 * Returns: (transfer full): a new line
 */
TillCartLine *
till_cart_line_new (TillProduct *product, gint64 quantity, gint64 unit_price)
{
  TillCartLine *self;

  g_return_val_if_fail (TILL_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (quantity > 0, NULL);
  g_return_val_if_fail (unit_price >= 0, NULL);

  self = g_object_new (TILL_TYPE_CART_LINE, NULL);
  self->product = g_object_ref (product);
  self->quantity = quantity;
  self->unit_price = unit_price;
  return self;
}

/* Returns: (transfer none): the product of the line */
TillProduct *
till_cart_line_get_product (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), NULL);
  return self->product;
}

gint64
till_cart_line_get_quantity (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->quantity;
}

/**
 * till_cart_line_set_quantity:
 *
 * For the cart only: changes the quantity in memory and notifies "quantity" and
 * "amount". The cart journals the change first.
 */
void
till_cart_line_set_quantity (TillCartLine *self, gint64 quantity)
{
  g_return_if_fail (TILL_IS_CART_LINE (self));
  g_return_if_fail (quantity > 0);

  if (self->quantity == quantity)
    return;
  self->quantity = quantity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUANTITY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AMOUNT]);
}

gint64
till_cart_line_get_unit_price (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->unit_price;
}

/* Returns: the line's amount in fen, rounded half-up to the fen */
gint64
till_cart_line_get_amount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return till_money_line_amount (self->unit_price, self->quantity);
}
