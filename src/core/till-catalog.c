/* till-catalog.c: products, barcodes and categories, and how a cashier finds them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-catalog"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-barcode.h"
#include "till-catalog.h"
#include "till-category.h"
#include "till-pinyin.h"
#include "till-store.h"

struct _TillCatalog
{
  GObject parent_instance;

  TillStore *store;

  /* category id → GStrv of its codes, leaf first (an empty GStrv when none
   * has one). The pricing engine asks for every line on every re-price, so
   * this is worth keeping; it is cleared by this catalog's own category
   * writes and by _till_catalog_forget_category_codes(), which the cart calls
   * on till_cart_reload_promotions() and when a new sale starts: a sync
   * pull that changes categories (till-master-data.c, possibly on another
   * connection) is followed by a reload of the promotions. That costs no
   * query on a re-price, unlike a generation check, and a category change
   * takes effect at the latest with the next sale. */
  GHashTable *category_codes;
};

G_DEFINE_FINAL_TYPE (TillCatalog, till_catalog, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_catalog_error_quark, till_catalog_error)

/* Every query that builds a TillProduct selects these columns in this order, so
 * that product_from_row() can read any of them. */
#define PRODUCT_COLUMNS                                                                  \
  "p.id, p.sku, p.name, p.short_name, p.pinyin, p.plu, p.brand, p.unit, p.category_id, " \
  "p.price, p.member_price, p.cost, p.vat_rate, p.weighed, p.active"

/* Puts products with a rank first, by rank, then the rest in a stable order. */
#define POPULAR_ORDER "(p.popularity = 0), p.popularity, p.pinyin, p.id"

static TillProduct *
product_from_row (sqlite3_stmt *stmt)
{
  TillProductSpec spec = {
    .sku = (const char *) sqlite3_column_text (stmt, 1),
    .name = (const char *) sqlite3_column_text (stmt, 2),
    .short_name = (const char *) sqlite3_column_text (stmt, 3),
    .plu = (const char *) sqlite3_column_text (stmt, 5),
    .brand = (const char *) sqlite3_column_text (stmt, 6),
    .unit = (const char *) sqlite3_column_text (stmt, 7),
    .category_id = sqlite3_column_int64 (stmt, 8),
    .price = sqlite3_column_int64 (stmt, 9),
    .member_price = sqlite3_column_int64 (stmt, 10),
    .cost = sqlite3_column_int64 (stmt, 11),
    .vat_rate = sqlite3_column_int (stmt, 12),
    .weighed = sqlite3_column_int (stmt, 13) != 0,
    .active = sqlite3_column_int (stmt, 14) != 0,
  };

  return till_product_new (sqlite3_column_int64 (stmt, 0), &spec,
                           (const char *) sqlite3_column_text (stmt, 4));
}

/* Steps a query that returns at most one product: 1 with *out_product set when
 * found, 0 when not, -1 with @error set when the database failed. */
static int
step_one_product (TillCatalog *self, TillStmt *stmt, TillProduct **out_product, GError **error)
{
  int rc = sqlite3_step (stmt);

  *out_product = NULL;
  if (rc == SQLITE_ROW)
    {
      *out_product = product_from_row (stmt);
      return 1;
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Looking up a product failed"));
      return -1;
    }
  return 0;
}

/* Steps a query of products into @products, skipping those already in @seen (when
 * given), until @limit products are in @products (0 = no limit). */
static gboolean
collect_products (TillCatalog *self,
                  TillStmt    *stmt,
                  GPtrArray   *products,
                  GHashTable  *seen,
                  guint        limit,
                  GError     **error)
{
  int rc;

  while ((limit == 0 || products->len < limit) && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (seen != NULL)
        {
          gint64 *key;

          if (g_hash_table_contains (seen, &id))
            continue;
          key = g_new (gint64, 1);
          *key = id;
          g_hash_table_add (seen, key);
        }
      g_ptr_array_add (products, product_from_row (stmt));
    }
  if (limit != 0 && products->len >= limit)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Reading the catalog failed"));
      return FALSE;
    }
  return TRUE;
}

/* SQLite's limit for "no limit". */
static sqlite3_int64
sql_limit (guint limit)
{
  return limit == 0 ? -1 : (sqlite3_int64) limit;
}

static gboolean
is_ascii_alnum (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_digits (const char *text)
{
  if (*text == '\0')
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

/* Makes @text a LIKE pattern matching it anywhere, with its own % _ and \
 * matched literally (the statement says ESCAPE '\'). */
static char *
like_pattern_for_substring (const char *text)
{
  GString *pattern = g_string_sized_new (strlen (text) + 4);

  g_string_append_c (pattern, '%');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

/* How many products are still wanted: 0 when @limit is reached. */
static gboolean
wants_more (GPtrArray *products, guint limit)
{
  return limit == 0 || products->len < limit;
}

/* Runs @sql with its text parameters @first and @second (when not %NULL) as ?1
 * and ?2 and @limit as ?3, adding the products it returns. */
static gboolean
collect_query (TillCatalog *self,
               const char  *sql,
               const char  *first,
               const char  *second,
               GPtrArray   *products,
               GHashTable  *seen,
               guint        limit,
               GError     **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (self->store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, first, -1, SQLITE_STATIC);
  if (second != NULL)
    sqlite3_bind_text (stmt, 2, second, -1, SQLITE_STATIC);
  /* Products found by an earlier group may come again; they are among those
   * already collected, so @limit rows always hold enough new ones. */
  sqlite3_bind_int64 (stmt, 3, sql_limit (limit));
  return collect_products (self, stmt, products, seen, limit, error);
}

/* Initials that start with @initials. Sorting every match by popularity would
 * read them all (17,000 for "K" in a 300,000-SKU store), so the ranked products
 * come through the popularity index, and the rest straight from the pinyin
 * index in its own order, which LIMIT then cuts short. */
static gboolean
search_initials_prefix (TillCatalog *self,
                        const char  *initials,
                        GPtrArray   *products,
                        GHashTable  *seen,
                        guint        limit,
                        GError     **error)
{
  g_autofree char *upper_bound = g_strdup (initials);

  /* Every string with the prefix sorts at or after it and before the prefix
   * with its last character incremented: a range on the index, not a LIKE. */
  upper_bound[strlen (upper_bound) - 1]++;

  return collect_query (self,
                        "SELECT " PRODUCT_COLUMNS " FROM product p INDEXED BY product_popularity"
                        " WHERE p.popularity > 0 AND p.pinyin >= ?1 AND p.pinyin < ?2"
                        " AND p.active ORDER BY p.popularity, p.pinyin, p.id LIMIT ?3",
                        initials, upper_bound, products, seen, limit, error) &&
         (!wants_more (products, limit) ||
          collect_query (self,
                         "SELECT " PRODUCT_COLUMNS " FROM product p INDEXED BY product_pinyin"
                         " WHERE p.pinyin >= ?1 AND p.pinyin < ?2 AND p.popularity = 0"
                         " AND p.active ORDER BY p.pinyin, p.id LIMIT ?3",
                         initials, upper_bound, products, seen, limit, error));
}

/* Initials that contain @initials after their first character: the ranked
 * products first, then the others in catalog (id) order. The second query reads
 * products only until it has enough, so a common query stops early; a rare one
 * reads the whole catalog (a few milliseconds at 300,000 products). */
static gboolean
search_initials_inside (TillCatalog *self,
                        const char  *initials,
                        GPtrArray   *products,
                        GHashTable  *seen,
                        guint        limit,
                        GError     **error)
{
  return collect_query (self,
                        "SELECT " PRODUCT_COLUMNS " FROM product p INDEXED BY product_popularity"
                        " WHERE p.popularity > 0 AND instr (p.pinyin, ?1) > 1 AND p.active"
                        " ORDER BY p.popularity, p.pinyin, p.id LIMIT ?3",
                        initials, NULL, products, seen, limit, error) &&
         (!wants_more (products, limit) ||
          collect_query (self,
                         "SELECT " PRODUCT_COLUMNS " FROM product p"
                         " WHERE instr (p.pinyin, ?1) > 1 AND p.popularity = 0 AND p.active"
                         " ORDER BY p.id LIMIT ?3",
                         initials, NULL, products, seen, limit, error));
}

/* Names that contain @text as typed, its % and _ taken literally: the ranked
 * products first, then the others in catalog (id) order, read only until there
 * are enough. */
static gboolean
search_name (TillCatalog *self,
             const char  *text,
             GPtrArray   *products,
             GHashTable  *seen,
             guint        limit,
             GError     **error)
{
  g_autofree char *pattern = like_pattern_for_substring (text);

  return collect_query (self,
                        "SELECT " PRODUCT_COLUMNS " FROM product p INDEXED BY product_popularity"
                        " WHERE p.popularity > 0 AND p.name LIKE ?1 ESCAPE '\\' AND p.active"
                        " ORDER BY p.popularity, p.pinyin, p.id LIMIT ?3",
                        pattern, NULL, products, seen, limit, error) &&
         (!wants_more (products, limit) ||
          collect_query (self,
                         "SELECT " PRODUCT_COLUMNS " FROM product p"
                         " WHERE p.name LIKE ?1 ESCAPE '\\' AND p.popularity = 0 AND p.active"
                         " ORDER BY p.id LIMIT ?3",
                         pattern, NULL, products, seen, limit, error));
}

/* Inserts the product row of a valid @spec: its id, or 0 with @error set. */
static gint64
insert_product (TillCatalog *self, const TillProductSpec *spec, const char *pinyin, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  sqlite3 *db = till_store_get_db (self->store);
  int      rc;

  stmt =
      till_store_prepare (self->store,
                          "INSERT INTO product (sku, name, short_name, pinyin, plu, brand, unit,"
                          " category_id, price, member_price, cost, vat_rate, weighed, active)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                          error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, spec->sku, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, spec->name, -1, SQLITE_STATIC);
  if (spec->short_name != NULL && *spec->short_name != '\0')
    sqlite3_bind_text (stmt, 3, spec->short_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, pinyin, -1, SQLITE_STATIC);
  if (spec->plu != NULL && *spec->plu != '\0')
    sqlite3_bind_text (stmt, 5, spec->plu, -1, SQLITE_STATIC);
  if (spec->brand != NULL && *spec->brand != '\0')
    sqlite3_bind_text (stmt, 6, spec->brand, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, spec->unit, -1, SQLITE_STATIC);
  if (spec->category_id != 0)
    sqlite3_bind_int64 (stmt, 8, spec->category_id);
  sqlite3_bind_int64 (stmt, 9, spec->price);
  sqlite3_bind_int64 (stmt, 10, spec->member_price);
  sqlite3_bind_int64 (stmt, 11, spec->cost);
  sqlite3_bind_int (stmt, 12, spec->vat_rate);
  sqlite3_bind_int (stmt, 13, spec->weighed ? 1 : 0);
  sqlite3_bind_int (stmt, 14, spec->active ? 1 : 0);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      int         extended = sqlite3_extended_errcode (db);
      const char *message = sqlite3_errmsg (db);

      if (extended == SQLITE_CONSTRAINT_UNIQUE && strstr (message, "product.plu") != NULL)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE,
                     _ ("PLU %s is already used by another product"), spec->plu);
      else if (extended == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE,
                     _ ("SKU %s is already used by another product"), spec->sku);
      else if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
                     _ ("Cannot add product %s: there is no category %" PRId64), spec->sku,
                     spec->category_id);
      else
        till_store_set_error (self->store, error, _ ("Adding a product failed"));
      return 0;
    }
  return sqlite3_last_insert_rowid (db);
}

static void
till_catalog_dispose (GObject *object)
{
  TillCatalog *self = (TillCatalog *) object;

  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_catalog_parent_class)->dispose (object);
}

static void
till_catalog_finalize (GObject *object)
{
  TillCatalog *self = (TillCatalog *) object;

  g_clear_pointer (&self->category_codes, g_hash_table_unref);

  G_OBJECT_CLASS (till_catalog_parent_class)->finalize (object);
}

static void
till_catalog_class_init (TillCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_catalog_dispose;
  object_class->finalize = till_catalog_finalize;
}

static void
till_catalog_init (TillCatalog *self)
{
  self->category_codes =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) g_strfreev);
}

/**
 * till_catalog_new:
 * @store: the till's store; the catalog keeps a reference
 *
 * Returns: (transfer full): the catalog of @store
 */
TillCatalog *
till_catalog_new (TillStore *store)
{
  TillCatalog *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_CATALOG, NULL);
  self->store = g_object_ref (store);
  return self;
}

/* Returns: (transfer none): the store this catalog reads */
TillStore *
till_catalog_get_store (TillCatalog *self)
{
  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  return self->store;
}

/**
 * till_catalog_lookup_barcode:
 * @barcode: the code as scanned, without the scanner's line end
 *
 * Finds the active product that carries @barcode. A UPC-A code also finds the
 * product stored under its EAN-13 form (with a leading 0).
 *
 * Returns: (transfer full): the product, or %NULL with %TILL_CATALOG_ERROR_NOT_FOUND
 *   for a well-formed code nobody carries, %TILL_CATALOG_ERROR_INVALID for a code
 *   that cannot be a barcode (such as a wrong check digit)
 */
TillProduct *
till_catalog_lookup_barcode (TillCatalog *self, const char *barcode, GError **error)
{
  TillBarcodeKind kind;
  TillProduct    *product;
  int             found;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (barcode != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  kind = till_barcode_classify (barcode);
  if (kind == TILL_BARCODE_INVALID)
    {
      g_autofree char *printable = g_strescape (barcode, NULL);

      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID,
                   _ ("“%s” is not a barcode"), printable);
      return NULL;
    }
  if (kind == TILL_BARCODE_BAD_CHECK)
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID,
                   _ ("Barcode %s is not valid (wrong check digit)"), barcode);
      return NULL;
    }

  {
    g_autoptr (TillStmt) stmt = till_store_prepare (self->store,
                                                    "SELECT " PRODUCT_COLUMNS " FROM barcode b"
                                                    " JOIN product p ON p.id = b.product_id"
                                                    " WHERE b.code = ? AND p.active",
                                                    error);
    if (stmt == NULL)
      return NULL;

    sqlite3_bind_text (stmt, 1, barcode, -1, SQLITE_STATIC);
    found = step_one_product (self, stmt, &product, error);
    if (found != 0)
      return product;

    /* Many scanners send UPC-A as 12 digits while the catalog holds the EAN-13. */
    if (kind == TILL_BARCODE_UPCA)
      {
        g_autofree char *ean13 = g_strconcat ("0", barcode, NULL);

        till_stmt_release (stmt);
        sqlite3_bind_text (stmt, 1, ean13, -1, SQLITE_STATIC);
        found = step_one_product (self, stmt, &product, error);
        if (found != 0)
          return product;
      }
  }

  g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND, _ ("Unknown barcode %s"),
               barcode);
  return NULL;
}

/**
 * till_catalog_lookup_plu:
 * @plu: a PLU code as keyed in or printed by a scale
 *
 * Returns: (transfer full): the active product with @plu, or %NULL with
 *   %TILL_CATALOG_ERROR_NOT_FOUND
 */
TillProduct *
till_catalog_lookup_plu (TillCatalog *self, const char *plu, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillProduct *product;
  int          found;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (plu != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (
      self->store, "SELECT " PRODUCT_COLUMNS " FROM product p WHERE p.plu = ? AND p.active", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, plu, -1, SQLITE_STATIC);
  found = step_one_product (self, stmt, &product, error);
  if (found != 0)
    return product;

  g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND, _ ("Unknown PLU %s"), plu);
  return NULL;
}

/**
 * till_catalog_lookup_id:
 *
 * Finds a product by its id, active or not: a cart or a sale that refers to a
 * product withdrawn since must still be able to show it. Check
 * till_product_get_active() before selling it anew.
 *
 * Returns: (transfer full): the product, or %NULL with %TILL_CATALOG_ERROR_NOT_FOUND
 */
TillProduct *
till_catalog_lookup_id (TillCatalog *self, gint64 id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillProduct *product;
  int          found;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (self->store,
                             "SELECT " PRODUCT_COLUMNS " FROM product p WHERE p.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  found = step_one_product (self, stmt, &product, error);
  if (found != 0)
    return product;

  g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
               _ ("No product with id %" PRId64), id);
  return NULL;
}

/**
 * till_catalog_search:
 * @query: what the cashier typed: pinyin initials, part of the name, or a PLU
 * @limit: the most products to return; 0 = no limit
 *
 * Finds active products, best matches first and each product once: a PLU equal to
 * an all-digit @query; then names whose pinyin initials start with @query; then
 * initials that contain it elsewhere; then, for a query that is not only letters
 * and digits (Chinese, say), names that contain @query as typed, its % and _
 * taken literally. Within each group the ranked (popular) products come first,
 * by rank; then the others, among the prefix matches by initials, in the later
 * groups in catalog (id) order. Each group runs only while fewer than @limit
 * products have been found, and each stops at @limit, so a search reads about
 * as many products as it returns.
 *
 * Returns: (transfer full) (element-type TillProduct): the products, possibly none
 */
GPtrArray *
till_catalog_search (TillCatalog *self, const char *query, guint limit, GError **error)
{
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GHashTable) seen = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  products = g_ptr_array_new_with_free_func (g_object_unref);
  seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  trimmed = g_strstrip (g_strdup (query));
  if (*trimmed == '\0')
    return g_steal_pointer (&products);

  if (is_digits (trimmed) &&
      !collect_query (self,
                      "SELECT " PRODUCT_COLUMNS " FROM product p WHERE p.plu = ?1 AND p.active"
                      " LIMIT ?3",
                      trimmed, NULL, products, seen, limit, error))
    return NULL;
  /* A cashier who keys a PLU wants that product, not names with those digits in
   * their sizes ("10001" inside "1000ML"), which only a full scan finds. */
  if (products->len > 0)
    return g_steal_pointer (&products);

  /* Initials are upper-case letters and digits, so only such a query can match
   * them. Letters and digits of a name are kept in order in its initials, so
   * such a query that is in the name is in the initials too: the name needs no
   * search of its own. A query in Chinese goes straight to the name search. */
  if (is_ascii_alnum (trimmed))
    {
      g_autofree char *initials = g_ascii_strup (trimmed, -1);

      if (wants_more (products, limit) &&
          !search_initials_prefix (self, initials, products, seen, limit, error))
        return NULL;
      if (wants_more (products, limit) &&
          !search_initials_inside (self, initials, products, seen, limit, error))
        return NULL;
    }
  else if (wants_more (products, limit) &&
           !search_name (self, trimmed, products, seen, limit, error))
    return NULL;

  return g_steal_pointer (&products);
}

/**
 * till_catalog_list_popular:
 * @limit: the most products to return; 0 = no limit
 *
 * Returns: (transfer full) (element-type TillProduct): the active products with
 *   a popularity rank, most popular (rank 1) first
 */
GPtrArray *
till_catalog_list_popular (TillCatalog *self, guint limit, GError **error)
{
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (self->store,
                             "SELECT " PRODUCT_COLUMNS " FROM product p"
                             " WHERE p.popularity > 0 AND p.active"
                             " ORDER BY p.popularity, p.id LIMIT ?",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, sql_limit (limit));
  products = g_ptr_array_new_with_free_func (g_object_unref);
  if (!collect_products (self, stmt, products, NULL, 0, error))
    return NULL;
  return g_steal_pointer (&products);
}

/**
 * till_catalog_list_categories:
 * @parent_id: the parent category, 0 for the top level
 *
 * Returns: (transfer full) (element-type TillCategory): the children of
 *   @parent_id in their sort order
 */
GPtrArray *
till_catalog_list_categories (TillCatalog *self, gint64 parent_id, GError **error)
{
  g_autoptr (GPtrArray) categories = NULL;
  g_autoptr (TillStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = till_store_prepare (self->store,
                             "SELECT id, coalesce (parent_id, 0), name FROM category"
                             " WHERE parent_id IS ?1 ORDER BY sort_order, id",
                             error);
  if (stmt == NULL)
    return NULL;
  if (parent_id != 0)
    sqlite3_bind_int64 (stmt, 1, parent_id);
  else
    sqlite3_bind_null (stmt, 1);

  categories = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (categories, till_category_new (sqlite3_column_int64 (stmt, 0),
                                                    sqlite3_column_int64 (stmt, 1),
                                                    (const char *) sqlite3_column_text (stmt, 2)));
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Reading the categories failed"));
      return NULL;
    }
  return g_steal_pointer (&categories);
}

/**
 * till_catalog_list_category_products:
 * @category_id: a category; its sub-categories at any depth are included
 * @limit: the most products to return; 0 = no limit
 *
 * Returns: (transfer full) (element-type TillProduct): the active products of the
 *   category, popular ones first
 */
GPtrArray *
till_catalog_list_category_products (TillCatalog *self,
                                     gint64       category_id,
                                     guint        limit,
                                     GError     **error)
{
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt =
      till_store_prepare (self->store,
                          "WITH RECURSIVE tree (id) AS ("
                          "  SELECT ?1"
                          "  UNION SELECT c.id FROM category c JOIN tree ON c.parent_id = tree.id"
                          ") SELECT " PRODUCT_COLUMNS " FROM product p"
                          " WHERE p.category_id IN tree AND p.active"
                          " ORDER BY " POPULAR_ORDER " LIMIT ?2",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, category_id);
  sqlite3_bind_int64 (stmt, 2, sql_limit (limit));
  products = g_ptr_array_new_with_free_func (g_object_unref);
  if (!collect_products (self, stmt, products, NULL, 0, error))
    return NULL;
  return g_steal_pointer (&products);
}

/**
 * till_catalog_add_category:
 * @parent_id: the parent category, 0 for a top-level one
 *
 * Returns: the new category's id, or 0 with @error set
 */
gint64
till_catalog_add_category (TillCatalog *self, gint64 parent_id, const char *name, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  sqlite3 *db;

  g_return_val_if_fail (TILL_IS_CATALOG (self), 0);
  g_return_val_if_fail (name != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (*name == '\0')
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_FAILED,
                   _ ("A category needs a name"));
      return 0;
    }

  db = till_store_get_db (self->store);
  stmt = till_store_prepare (self->store, "INSERT INTO category (parent_id, name) VALUES (?, ?)",
                             error);
  if (stmt == NULL)
    return 0;
  if (parent_id != 0)
    sqlite3_bind_int64 (stmt, 1, parent_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      if (sqlite3_extended_errcode (db) == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
                     _ ("Cannot add category %s: there is no parent category %" PRId64), name,
                     parent_id);
      else
        till_store_set_error (self->store, error, _ ("Adding a category failed"));
      return 0;
    }
  _till_catalog_forget_category_codes (self);
  return sqlite3_last_insert_rowid (db);
}

/**
 * till_catalog_add_product:
 * @spec: the product; its name gets its pinyin initials for search
 *
 * Returns: the new product's id, or 0 with @error set (%TILL_CATALOG_ERROR_DUPLICATE
 *   when its SKU or PLU is taken)
 */
gint64
till_catalog_add_product (TillCatalog *self, const TillProductSpec *spec, GError **error)
{
  g_autofree char *pinyin = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), 0);
  g_return_val_if_fail (spec != NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  /* Importers feed this from files, so bad data is an error, not a crash. */
  if (spec->sku == NULL || *spec->sku == '\0' || spec->name == NULL || *spec->name == '\0' ||
      spec->unit == NULL || *spec->unit == '\0')
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_FAILED,
                   _ ("A product needs a SKU, a name and a unit (SKU “%s”, name “%s”)"),
                   spec->sku ? spec->sku : "", spec->name ? spec->name : "");
      return 0;
    }
  if (spec->price < 0 || spec->member_price < 0 || spec->cost < 0 || spec->vat_rate < 0 ||
      spec->vat_rate > 10000)
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_FAILED,
                   _ ("Product %s has a negative price or cost, or a VAT rate out of range"),
                   spec->sku);
      return 0;
    }

  pinyin = till_pinyin_initials (spec->name);

  return insert_product (self, spec, pinyin, error);
}

/**
 * till_catalog_add_barcode:
 * @barcode: an EAN/UPC with a correct check digit, or another printable code
 *
 * Returns: %TRUE when added; %FALSE with %TILL_CATALOG_ERROR_INVALID for a code
 *   that cannot be a barcode, %TILL_CATALOG_ERROR_DUPLICATE when another product
 *   (or this one) carries it already, %TILL_CATALOG_ERROR_NOT_FOUND when there is
 *   no product @product_id
 */
gboolean
till_catalog_add_barcode (TillCatalog *self, gint64 product_id, const char *barcode, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  TillBarcodeKind kind;
  sqlite3        *db;

  g_return_val_if_fail (TILL_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (barcode != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  kind = till_barcode_classify (barcode);
  if (kind == TILL_BARCODE_INVALID || kind == TILL_BARCODE_BAD_CHECK)
    {
      g_autofree char *printable = g_strescape (barcode, NULL);

      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID,
                   kind == TILL_BARCODE_BAD_CHECK
                       ? _ ("Barcode %s is not valid (wrong check digit)")
                       : _ ("“%s” is not a barcode"),
                   printable);
      return FALSE;
    }

  db = till_store_get_db (self->store);
  stmt = till_store_prepare (self->store, "INSERT INTO barcode (code, product_id) VALUES (?, ?)",
                             error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, barcode, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, product_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int extended = sqlite3_extended_errcode (db);

      if (extended == SQLITE_CONSTRAINT_PRIMARYKEY || extended == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE,
                     _ ("Barcode %s is already used by another product"), barcode);
      else if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
                     _ ("Cannot add barcode %s: there is no product %" PRId64), barcode,
                     product_id);
      else
        till_store_set_error (self->store, error, _ ("Adding a barcode failed"));
      return FALSE;
    }
  return TRUE;
}

/**
 * till_catalog_set_popularity:
 * @rank: 1 for the most popular product, 2 for the next…; 0 takes the product
 *   off the quick keys
 */
gboolean
till_catalog_set_popularity (TillCatalog *self, gint64 product_id, int rank, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (rank >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = till_store_prepare (self->store, "UPDATE product SET popularity = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, rank);
  sqlite3_bind_int64 (stmt, 2, product_id);
  if (!till_store_step_done (self->store, stmt, error))
    return FALSE;
  if (sqlite3_changes (till_store_get_db (self->store)) == 0)
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
                   _ ("No product with id %" PRId64), product_id);
      return FALSE;
    }
  return TRUE;
}

/**
 * till_catalog_count_products:
 *
 * Returns: how many products the store holds, active or not; -1 with @error set
 */
gint64
till_catalog_count_products (TillCatalog *self, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  stmt = till_store_prepare (self->store, "SELECT count(*) FROM product", error);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (self->store, error, _ ("Counting the products failed"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

/* Reads the codes of @category_id and its ancestors, leaf first. A cycle in
 * the parents (bad data) stops the walk instead of looping. */
static GStrv
read_category_codes (TillCatalog *self, gint64 category_id, GError **error)
{
  g_autoptr (TillStmt) stmt = NULL;
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = till_store_prepare (self->store,
                             "WITH RECURSIVE up (id, parent_id, code, depth) AS ("
                             " SELECT id, parent_id, code, 0 FROM category WHERE id = ?"
                             " UNION ALL"
                             " SELECT c.id, c.parent_id, c.code, up.depth + 1 FROM category c"
                             " JOIN up ON c.id = up.parent_id WHERE up.depth < 64) "
                             "SELECT code FROM up WHERE code IS NOT NULL AND code <> '' "
                             "ORDER BY depth",
                             error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, category_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);
      gboolean    seen = FALSE;

      for (guint i = 0; i < codes->len && !seen; i++)
        seen = g_str_equal (g_ptr_array_index (codes, i), code);
      if (!seen)
        g_ptr_array_add (codes, g_strdup (code));
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the categories"));
      return NULL;
    }
  g_ptr_array_add (codes, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&codes), FALSE);
}

/**
 * till_catalog_get_category_codes:
 * @category_id: a category, 0 for none
 *
 * Returns: (transfer full) (nullable): the codes of the category and its
 *   ancestors, the category's own first, or %NULL when none has one (then
 *   @error is not set) or on a read failure (then it is)
 */
GStrv
till_catalog_get_category_codes (TillCatalog *self, gint64 category_id, GError **error)
{
  GStrv codes;

  g_return_val_if_fail (TILL_IS_CATALOG (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (category_id <= 0)
    return NULL;
  codes = g_hash_table_lookup (self->category_codes, &category_id);
  if (codes == NULL)
    {
      codes = read_category_codes (self, category_id, error);
      if (codes == NULL)
        return NULL;
      g_hash_table_insert (self->category_codes, g_memdup2 (&category_id, sizeof category_id),
                           codes);
    }
  return codes[0] != NULL ? g_strdupv (codes) : NULL;
}

/**
 * till_catalog_set_category_code:
 * @code: (nullable): the code, unique among categories; %NULL or "" removes it
 *
 * Returns: %TRUE, or %FALSE with %TILL_CATALOG_ERROR_DUPLICATE when another
 *   category has @code, %TILL_CATALOG_ERROR_NOT_FOUND when there is no
 *   category @category_id
 */
gboolean
till_catalog_set_category_code (TillCatalog *self,
                                gint64       category_id,
                                const char  *code,
                                GError     **error)
{
  g_autoptr (TillStmt) stmt = NULL;

  g_return_val_if_fail (TILL_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (code != NULL && *code == '\0')
    code = NULL;
  stmt = till_store_prepare (self->store, "UPDATE category SET code = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, category_id);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      int extended = sqlite3_extended_errcode (till_store_get_db (self->store));

      if (extended == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE,
                     _ ("Category code %s is already used by another category"), code);
      else
        till_store_set_error (self->store, error, _ ("Changing a category failed"));
      return FALSE;
    }
  if (sqlite3_changes (till_store_get_db (self->store)) == 0)
    {
      g_set_error (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND,
                   _ ("No category with id %" PRId64), category_id);
      return FALSE;
    }
  _till_catalog_forget_category_codes (self);
  return TRUE;
}

void
_till_catalog_forget_category_codes (TillCatalog *self)
{
  g_return_if_fail (TILL_IS_CATALOG (self));
  g_hash_table_remove_all (self->category_codes);
}
