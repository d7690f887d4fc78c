/* till-product.h: one sellable item of the catalog (immutable once loaded)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

/* What a product is made from: used by the catalog to insert and by the demo
 * generator and importers to describe products. Strings are borrowed. */
typedef struct
{
  const char *sku;
  const char *name;
  const char *short_name;   /* for receipts and quick keys; NULL = name */
  const char *plu;          /* NULL = none */
  const char *brand;        /* NULL = none */
  const char *unit;         /* 个, 瓶, kg, … */
  gint64      category_id;  /* 0 = none */
  gint64      price;        /* fen, per unit (per kg when weighed) */
  gint64      member_price; /* fen; 0 = same as price */
  gint64      cost;         /* fen */
  int         vat_rate;     /* basis points: 1300 = 13 % */
  gboolean    weighed;
  gboolean    active;
} TillProductSpec;

#define TILL_TYPE_PRODUCT (till_product_get_type ())
G_DECLARE_FINAL_TYPE (TillProduct, till_product, TILL, PRODUCT, GObject)

TillProduct *till_product_new (gint64                 id,
                               const TillProductSpec *spec,
                               const char            *pinyin) G_GNUC_WARN_UNUSED_RESULT;
gint64       till_product_get_id (TillProduct *self);
const char  *till_product_get_sku (TillProduct *self);
const char  *till_product_get_name (TillProduct *self);
const char  *till_product_get_short_name (TillProduct *self);
const char  *till_product_get_pinyin (TillProduct *self);
const char  *till_product_get_plu (TillProduct *self);
const char  *till_product_get_brand (TillProduct *self);
const char  *till_product_get_unit (TillProduct *self);
gint64       till_product_get_category_id (TillProduct *self);
gint64       till_product_get_price (TillProduct *self);
gint64       till_product_get_member_price (TillProduct *self);
gint64       till_product_get_cost (TillProduct *self);
int          till_product_get_vat_rate (TillProduct *self);
gboolean     till_product_get_weighed (TillProduct *self);
gboolean     till_product_get_active (TillProduct *self);

G_END_DECLS
