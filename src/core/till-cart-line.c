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
  gint64       quantity;       /* thousandths */
  gint64       unit_price;     /* fen per unit (per kg when weighed), as charged */
  gint64       original_price; /* the unit price when rung up, before any override */
  int          discount_bp;    /* line discount, basis points */
  gint64       sale_discount;  /* fen: this line's share of the whole-sale discount */
  /* The promotions' shares of the line (TillPricingShare, never NULL) and
   * their sum, as the cart's last re-price left them. */
  GArray *promotions;
  gint64  promotion_discount;
  char   *gift_code; /* the promotion that gave the line, NULL when bought */
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
till_cart_line_finalize (GObject *object)
{
  TillCartLine *self = (TillCartLine *) object;

  g_clear_pointer (&self->promotions, g_array_unref);
  g_clear_pointer (&self->gift_code, g_free);

  G_OBJECT_CLASS (till_cart_line_parent_class)->finalize (object);
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
  object_class->finalize = till_cart_line_finalize;
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
  self->promotions = till_pricing_shares_new ();
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
  return till_cart_line_new_full (product, quantity, unit_price, unit_price, 0);
}

/**
 * till_cart_line_new_full:
 * @unit_price: fen per unit as charged (after a price override)
 * @original_price: fen per unit when the line was rung up
 * @discount_bp: the line discount in basis points, 0 to 10000
 *
 * Returns: (transfer full): a new line with no share of a whole-sale discount
 */
TillCartLine *
till_cart_line_new_full (TillProduct *product,
                         gint64       quantity,
                         gint64       unit_price,
                         gint64       original_price,
                         int          discount_bp)
{
  TillCartLine *self;

  g_return_val_if_fail (TILL_IS_PRODUCT (product), NULL);
  g_return_val_if_fail (quantity > 0, NULL);
  g_return_val_if_fail (unit_price >= 0, NULL);
  g_return_val_if_fail (original_price >= 0, NULL);
  g_return_val_if_fail (discount_bp >= 0 && discount_bp <= 10000, NULL);

  self = g_object_new (TILL_TYPE_CART_LINE, NULL);
  self->product = g_object_ref (product);
  self->quantity = quantity;
  self->unit_price = unit_price;
  self->original_price = original_price;
  self->discount_bp = discount_bp;
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

/* Returns: the unit price when the line was rung up, before any override */
gint64
till_cart_line_get_original_price (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->original_price;
}

gboolean
till_cart_line_has_price_override (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), FALSE);
  return self->unit_price != self->original_price;
}

/* Returns: the line discount in basis points (1000 = 10 %) */
int
till_cart_line_get_discount_bp (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->discount_bp;
}

/* Returns: unit price × quantity, half-up to the fen, before any discount */
gint64
till_cart_line_get_gross_amount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return till_money_line_amount (self->unit_price, self->quantity);
}

/* Returns: the line discount in fen: gross × bp / 10000, half-up */
gint64
till_cart_line_get_line_discount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  if (self->discount_bp == 0)
    return 0;
  return till_money_round_half_up (till_cart_line_get_gross_amount (self) * self->discount_bp,
                                   10000);
}

/* Returns: this line's share of the whole-sale discount, in fen */
gint64
till_cart_line_get_sale_discount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->sale_discount;
}

/* Returns: the promotions' shares of this line, in fen */
gint64
till_cart_line_get_promotion_discount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return self->promotion_discount;
}

/* Returns: (transfer none) (element-type TillPricingShare): each promotion's
 *   share of the line; never %NULL */
GArray *
till_cart_line_get_promotions (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), NULL);
  return self->promotions;
}

/* Returns: (nullable): the code of the promotion that gave this line */
const char *
till_cart_line_get_gift_code (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), NULL);
  return self->gift_code;
}

gboolean
till_cart_line_takes_promotions (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), FALSE);
  return self->gift_code == NULL && self->unit_price == self->original_price &&
         self->discount_bp == 0;
}

gint64
till_cart_line_get_net_before_sale_discount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return till_cart_line_get_gross_amount (self) - till_cart_line_get_line_discount (self) -
         self->promotion_discount;
}

/* Returns: what the customer pays for the line, in fen, after every discount */
gint64
till_cart_line_get_amount (TillCartLine *self)
{
  g_return_val_if_fail (TILL_IS_CART_LINE (self), 0);
  return till_cart_line_get_net_before_sale_discount (self) - self->sale_discount;
}

void
_till_cart_line_set_unit_price (TillCartLine *self, gint64 unit_price)
{
  g_return_if_fail (TILL_IS_CART_LINE (self));
  g_return_if_fail (unit_price >= 0);

  if (self->unit_price == unit_price)
    return;
  self->unit_price = unit_price;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNIT_PRICE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AMOUNT]);
}

void
_till_cart_line_set_discount_bp (TillCartLine *self, int discount_bp)
{
  g_return_if_fail (TILL_IS_CART_LINE (self));
  g_return_if_fail (discount_bp >= 0 && discount_bp <= 10000);

  if (self->discount_bp == discount_bp)
    return;
  self->discount_bp = discount_bp;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AMOUNT]);
}

void
_till_cart_line_set_sale_discount (TillCartLine *self, gint64 sale_discount)
{
  g_return_if_fail (TILL_IS_CART_LINE (self));
  g_return_if_fail (sale_discount >= 0);

  if (self->sale_discount == sale_discount)
    return;
  self->sale_discount = sale_discount;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AMOUNT]);
}

/**
 * _till_cart_line_set_promotions:
 * @shares: (transfer full) (nullable) (element-type TillPricingShare): the
 *   promotions' shares of the line; %NULL for none
 *
 * For the cart, after each re-price. The cart never gives shares to a line
 * that does not take promotions.
 */
void
_till_cart_line_set_promotions (TillCartLine *self, GArray *shares)
{
  g_autoptr (GArray) owned = shares;
  gint64 sum = 0;

  g_return_if_fail (TILL_IS_CART_LINE (self));

  if (owned == NULL)
    {
      /* The common case on every re-price: nothing before, nothing now. */
      if (self->promotions->len == 0)
        return;
      owned = till_pricing_shares_new ();
    }
  for (guint i = 0; i < owned->len; i++)
    sum += g_array_index (owned, TillPricingShare, i).amount;
  g_clear_pointer (&self->promotions, g_array_unref);
  self->promotions = g_steal_pointer (&owned);
  if (self->promotion_discount == sum)
    return;
  self->promotion_discount = sum;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AMOUNT]);
}

/**
 * _till_cart_line_new_gift:
 * @product: the gift
 * @quantity: thousandths
 * @gift_code: the promotion that gives it
 *
 * Returns: (transfer full): a zero-price line (unit and original price 0)
 *   that belongs to @gift_code
 */
TillCartLine *
_till_cart_line_new_gift (TillProduct *product, gint64 quantity, const char *gift_code)
{
  TillCartLine *self;

  g_return_val_if_fail (gift_code != NULL, NULL);

  self = till_cart_line_new_full (product, quantity, 0, 0, 0);
  if (self != NULL)
    self->gift_code = g_strdup (gift_code);
  return self;
}
