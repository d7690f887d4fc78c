/* till-catalog.h: products, barcodes and categories, and how a cashier finds them
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

#define TILL_CATALOG_ERROR (till_catalog_error_quark ())

typedef enum
{
  TILL_CATALOG_ERROR_FAILED,
  TILL_CATALOG_ERROR_NOT_FOUND, /* a well-formed code that no active product carries */
  TILL_CATALOG_ERROR_INVALID,   /* a code that cannot be a barcode (bad check digit, garbage) */
  TILL_CATALOG_ERROR_DUPLICATE, /* a SKU, PLU or barcode already in use */
} TillCatalogError;

#define TILL_TYPE_CATALOG (till_catalog_get_type ())
G_DECLARE_FINAL_TYPE (TillCatalog, till_catalog, TILL, CATALOG, GObject)

GQuark till_catalog_error_quark (void);

TillCatalog *till_catalog_new (TillStore *store) G_GNUC_WARN_UNUSED_RESULT;
TillStore   *till_catalog_get_store (TillCatalog *self);

/* Lookups return a new reference, or NULL with an error set. */
TillProduct *till_catalog_lookup_barcode (TillCatalog *self, const char *barcode, GError **error);
TillProduct *till_catalog_lookup_plu (TillCatalog *self, const char *plu, GError **error);
TillProduct *till_catalog_lookup_id (TillCatalog *self, gint64 id, GError **error);

/* Search by pinyin initials (prefix first, then inside the initials) and by a
 * substring of the name; active products only, best matches first. Returns a
 * GPtrArray of TillProduct (owning references), possibly empty. */
GPtrArray *till_catalog_search (TillCatalog *self, const char *query, guint limit, GError **error);

/* Quick keys: the most popular active products, by a rank the store sets (the
 * demo sets it; later from sales). */
GPtrArray *till_catalog_list_popular (TillCatalog *self, guint limit, GError **error);
/* Children of a category (0 = the top level), as TillCategory. */
GPtrArray *till_catalog_list_categories (TillCatalog *self, gint64 parent_id, GError **error);
/* Active products in a category and its sub-categories, by popularity. */
GPtrArray *till_catalog_list_category_products (TillCatalog *self,
                                                gint64       category_id,
                                                guint        limit,
                                                GError     **error);
/* The category codes (category.code, the names promotions target) of
 * @category_id and its ancestors, the category's own first; categories
 * without a code are skipped. NULL when none has one. Cached per catalog:
 * the pricing engine asks on every re-price. */
GStrv till_catalog_get_category_codes (TillCatalog *self,
                                       gint64       category_id,
                                       GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* Writing, for the demo generator, imports and back office. Each is a plain
 * statement: wrap many of them in till_store_begin()/commit() for speed. */
gint64
till_catalog_add_category (TillCatalog *self, gint64 parent_id, const char *name, GError **error);
gint64   till_catalog_add_product (TillCatalog *self, const TillProductSpec *spec, GError **error);
gboolean till_catalog_add_barcode (TillCatalog *self,
                                   gint64       product_id,
                                   const char  *barcode,
                                   GError     **error);
/* Gives a category the code promotions and HQ know it by (unique). */
gboolean till_catalog_set_category_code (TillCatalog *self,
                                         gint64       category_id,
                                         const char  *code,
                                         GError     **error);
gboolean
       till_catalog_set_popularity (TillCatalog *self, gint64 product_id, int rank, GError **error);
gint64 till_catalog_count_products (TillCatalog *self, GError **error);

/* For the cart: forget the cached category codes (till_cart_reload_promotions
 * and a new sale call it, so categories changed by a sync pull are seen). */
void _till_catalog_forget_category_codes (TillCatalog *self);

G_END_DECLS
