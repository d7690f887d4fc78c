/* till-product.c: one sellable item of the catalog (immutable once loaded)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-product"

#include "config.h"

#include "till-product.h"

struct _TillProduct
{
  GObject parent_instance;

  gint64   id;
  char    *sku;
  char    *name;
  char    *short_name;
  char    *pinyin;
  char    *plu;
  char    *brand;
  char    *unit;
  gint64   category_id;
  gint64   price;
  gint64   member_price;
  gint64   cost;
  int      vat_rate;
  gboolean weighed;
  gboolean active;
};

G_DEFINE_FINAL_TYPE (TillProduct, till_product, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_SKU,
  PROP_NAME,
  PROP_SHORT_NAME,
  PROP_PINYIN,
  PROP_PLU,
  PROP_BRAND,
  PROP_UNIT,
  PROP_CATEGORY_ID,
  PROP_PRICE,
  PROP_MEMBER_PRICE,
  PROP_COST,
  PROP_VAT_RATE,
  PROP_WEIGHED,
  PROP_ACTIVE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

static void
till_product_finalize (GObject *object)
{
  TillProduct *self = (TillProduct *) object;

  g_free (self->sku);
  g_free (self->name);
  g_free (self->short_name);
  g_free (self->pinyin);
  g_free (self->plu);
  g_free (self->brand);
  g_free (self->unit);

  G_OBJECT_CLASS (till_product_parent_class)->finalize (object);
}

static void
till_product_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillProduct *self = TILL_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_SKU:
      g_value_set_string (value, self->sku);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SHORT_NAME:
      g_value_set_string (value, till_product_get_short_name (self));
      break;
    case PROP_PINYIN:
      g_value_set_string (value, self->pinyin);
      break;
    case PROP_PLU:
      g_value_set_string (value, self->plu);
      break;
    case PROP_BRAND:
      g_value_set_string (value, self->brand);
      break;
    case PROP_UNIT:
      g_value_set_string (value, self->unit);
      break;
    case PROP_CATEGORY_ID:
      g_value_set_int64 (value, self->category_id);
      break;
    case PROP_PRICE:
      g_value_set_int64 (value, self->price);
      break;
    case PROP_MEMBER_PRICE:
      g_value_set_int64 (value, self->member_price);
      break;
    case PROP_COST:
      g_value_set_int64 (value, self->cost);
      break;
    case PROP_VAT_RATE:
      g_value_set_int (value, self->vat_rate);
      break;
    case PROP_WEIGHED:
      g_value_set_boolean (value, self->weighed);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_product_class_init (TillProductClass *klass)
{
  GObjectClass     *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = till_product_finalize;
  object_class->get_property = till_product_get_property;

  /* All read-only: a product never changes once loaded, so the UI can bind to
   * these without ever being notified. */
  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SKU] = g_param_spec_string ("sku", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SHORT_NAME] = g_param_spec_string ("short-name", NULL, NULL, NULL, flags);
  properties[PROP_PINYIN] = g_param_spec_string ("pinyin", NULL, NULL, NULL, flags);
  properties[PROP_PLU] = g_param_spec_string ("plu", NULL, NULL, NULL, flags);
  properties[PROP_BRAND] = g_param_spec_string ("brand", NULL, NULL, NULL, flags);
  properties[PROP_UNIT] = g_param_spec_string ("unit", NULL, NULL, NULL, flags);
  properties[PROP_CATEGORY_ID] =
      g_param_spec_int64 ("category-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PRICE] = g_param_spec_int64 ("price", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MEMBER_PRICE] =
      g_param_spec_int64 ("member-price", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_COST] = g_param_spec_int64 ("cost", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_VAT_RATE] = g_param_spec_int ("vat-rate", NULL, NULL, 0, 10000, 0, flags);
  properties[PROP_WEIGHED] = g_param_spec_boolean ("weighed", NULL, NULL, FALSE, flags);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, TRUE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_product_init (TillProduct *self)
{
  self->active = TRUE;
}

/**
 * till_product_new:
 * @id: the row id in the store (0 for a product not stored yet)
 * @spec: what the product is; its strings are copied
 * @pinyin: (nullable): the initials of the name, as stored for search
 *
 * Returns: (transfer full): a new immutable product
 */
TillProduct *
till_product_new (gint64 id, const TillProductSpec *spec, const char *pinyin)
{
  TillProduct *self;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (spec->name != NULL, NULL);

  self = g_object_new (TILL_TYPE_PRODUCT, NULL);
  self->id = id;
  self->sku = g_strdup (spec->sku != NULL ? spec->sku : "");
  self->name = g_strdup (spec->name);
  self->short_name = g_strdup (spec->short_name);
  self->pinyin = g_strdup (pinyin != NULL ? pinyin : "");
  self->plu = g_strdup (spec->plu);
  self->brand = g_strdup (spec->brand);
  self->unit = g_strdup (spec->unit != NULL ? spec->unit : "");
  self->category_id = spec->category_id;
  self->price = spec->price;
  self->member_price = spec->member_price;
  self->cost = spec->cost;
  self->vat_rate = spec->vat_rate;
  self->weighed = spec->weighed;
  self->active = spec->active;
  return self;
}

gint64
till_product_get_id (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->id;
}

const char *
till_product_get_sku (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->sku;
}

const char *
till_product_get_name (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->name;
}

/* The name for receipts and quick keys: the short name, or the name when the
 * product has none. */
const char *
till_product_get_short_name (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->short_name != NULL && *self->short_name != '\0' ? self->short_name : self->name;
}

const char *
till_product_get_pinyin (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->pinyin;
}

/* Returns: (nullable): the PLU code, or %NULL when the product has none */
const char *
till_product_get_plu (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->plu;
}

/* Returns: (nullable): the brand, or %NULL */
const char *
till_product_get_brand (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->brand;
}

const char *
till_product_get_unit (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), NULL);
  return self->unit;
}

gint64
till_product_get_category_id (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->category_id;
}

/* Returns: the price in fen per unit (per kg when weighed) */
gint64
till_product_get_price (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->price;
}

/* Returns: the member price in fen; 0 means the same as the price */
gint64
till_product_get_member_price (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->member_price;
}

gint64
till_product_get_cost (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->cost;
}

/* Returns: the VAT rate in basis points (1300 = 13 %) */
int
till_product_get_vat_rate (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), 0);
  return self->vat_rate;
}

gboolean
till_product_get_weighed (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), FALSE);
  return self->weighed;
}

gboolean
till_product_get_active (TillProduct *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCT (self), FALSE);
  return self->active;
}
