/* test-catalog.c: tests for src/core/till-catalog.c, till-product.c and till-category.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static TillStore   *store;
static TillCatalog *catalog;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
}

static void
teardown (void)
{
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

/* Adds a product with a barcode (when given) and returns its id. */
static gint64
add (const char *sku, const char *name, const char *barcode, gint64 price, int rank)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = sku,
    .name = name,
    .unit = "瓶",
    .price = price,
    .cost = price / 2,
    .vat_rate = 1300,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);

  ck_assert_msg (id > 0, "adding %s: %s", sku, error ? error->message : "");
  if (barcode != NULL)
    ck_assert_msg (till_catalog_add_barcode (catalog, id, barcode, &error), "%s",
                   error ? error->message : "");
  if (rank > 0)
    ck_assert (till_catalog_set_popularity (catalog, id, rank, &error));
  return id;
}

static gboolean
contains_sku (GPtrArray *products, const char *sku)
{
  for (guint i = 0; i < products->len; i++)
    if (g_str_equal (till_product_get_sku (products->pdata[i]), sku))
      return TRUE;
  return FALSE;
}

static int
index_of_sku (GPtrArray *products, const char *sku)
{
  for (guint i = 0; i < products->len; i++)
    if (g_str_equal (till_product_get_sku (products->pdata[i]), sku))
      return (int) i;
  return -1;
}

/* /core/catalog/product-properties */
START_TEST (test_product_properties)
{
  TillProductSpec spec = {
    .sku = "S1",
    .name = "农夫山泉 饮用天然水 550ml",
    .short_name = "农夫山泉550",
    .plu = "123",
    .brand = "农夫山泉",
    .unit = "瓶",
    .category_id = 7,
    .price = 200,
    .member_price = 180,
    .cost = 120,
    .vat_rate = 1300,
    .weighed = FALSE,
    .active = TRUE,
  };
  g_autoptr (TillProduct) product = till_product_new (42, &spec, "NFSQYYTRS550ML");
  g_autofree char *name = NULL;
  gint64           price = 0;
  g_autofree char *unit = NULL;
  TillProductSpec  bare = { .sku = "S2", .name = "散装", .unit = "kg" };
  g_autoptr (TillProduct) bare_product = till_product_new (1, &bare, NULL);

  ck_assert_int_eq (till_product_get_id (product), 42);
  ck_assert_str_eq (till_product_get_sku (product), "S1");
  ck_assert_str_eq (till_product_get_name (product), "农夫山泉 饮用天然水 550ml");
  ck_assert_str_eq (till_product_get_short_name (product), "农夫山泉550");
  ck_assert_str_eq (till_product_get_pinyin (product), "NFSQYYTRS550ML");
  ck_assert_str_eq (till_product_get_plu (product), "123");
  ck_assert_str_eq (till_product_get_brand (product), "农夫山泉");
  ck_assert_int_eq (till_product_get_category_id (product), 7);
  ck_assert_int_eq (till_product_get_member_price (product), 180);
  ck_assert_int_eq (till_product_get_cost (product), 120);
  ck_assert_int_eq (till_product_get_vat_rate (product), 1300);
  ck_assert (!till_product_get_weighed (product));
  ck_assert (till_product_get_active (product));

  /* The UI binds to these properties. */
  g_object_get (product, "name", &name, "price", &price, "unit", &unit, NULL);
  ck_assert_str_eq (name, "农夫山泉 饮用天然水 550ml");
  ck_assert_int_eq (price, 200);
  ck_assert_str_eq (unit, "瓶");

  /* Without a short name the name stands in; without a PLU there is none. */
  ck_assert_str_eq (till_product_get_short_name (bare_product), "散装");
  ck_assert_ptr_null (till_product_get_plu (bare_product));
  ck_assert_ptr_null (till_product_get_brand (bare_product));
  ck_assert (!till_product_get_active (bare_product));
}
END_TEST

/* /core/catalog/lookup-barcode */
START_TEST (test_lookup_barcode)
{
  g_autoptr (GError) error = NULL;
  gint64 id = add ("1001", "可口可乐 500ml", "4006381333931", 300, 0);
  g_autoptr (TillProduct) product = till_catalog_lookup_barcode (catalog, "4006381333931", &error);
  g_autoptr (TillProduct) by_id = NULL;

  ck_assert_ptr_null (error);
  ck_assert_ptr_nonnull (product);
  ck_assert_int_eq (till_product_get_id (product), id);
  ck_assert_str_eq (till_product_get_name (product), "可口可乐 500ml");
  ck_assert_str_eq (till_product_get_pinyin (product), "KKKL500ML");
  ck_assert_int_eq (till_product_get_price (product), 300);
  ck_assert_str_eq (till_product_get_unit (product), "瓶");

  by_id = till_catalog_lookup_id (catalog, id, &error);
  ck_assert_ptr_nonnull (by_id);
  ck_assert_str_eq (till_product_get_sku (by_id), "1001");
}
END_TEST

/* /core/catalog/lookup-barcode-second-code */
START_TEST (test_lookup_second_barcode)
{
  g_autoptr (GError) error = NULL;
  gint64 id = add ("1001", "可口可乐 500ml", "4006381333931", 300, 0);
  g_autoptr (TillProduct) product = NULL;

  ck_assert (till_catalog_add_barcode (catalog, id, "96385074", &error)); /* EAN-8 */
  product = till_catalog_lookup_barcode (catalog, "96385074", &error);
  ck_assert_ptr_nonnull (product);
  ck_assert_int_eq (till_product_get_id (product), id);
}
END_TEST

/* /core/catalog/lookup-upca-as-ean13 */
START_TEST (test_lookup_upca)
{
  g_autoptr (GError) error = NULL;
  gint64 id = add ("1002", "进口薯片", "0036000291452", 990, 0);
  g_autoptr (TillProduct) product = till_catalog_lookup_barcode (catalog, "036000291452", &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_product_get_id (product), id);
}
END_TEST

/* /core/catalog/unknown-vs-invalid */
START_TEST (test_unknown_vs_invalid)
{
  g_autoptr (GError) unknown = NULL;
  g_autoptr (GError) bad_check = NULL;
  g_autoptr (GError) garbage = NULL;
  g_autoptr (GError) empty = NULL;
  g_autoptr (TillProduct) p1 = NULL;
  g_autoptr (TillProduct) p2 = NULL;
  g_autoptr (TillProduct) p3 = NULL;
  g_autoptr (TillProduct) p4 = NULL;

  add ("1001", "可口可乐 500ml", "4006381333931", 300, 0);

  p1 = till_catalog_lookup_barcode (catalog, "6901234567892", &unknown);
  ck_assert_ptr_null (p1);
  ck_assert (g_error_matches (unknown, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (unknown->message, "6901234567892"));

  p2 = till_catalog_lookup_barcode (catalog, "4006381333932", &bad_check);
  ck_assert_ptr_null (p2);
  ck_assert (g_error_matches (bad_check, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID));
  ck_assert_ptr_nonnull (strstr (bad_check->message, "4006381333932"));
  ck_assert_ptr_nonnull (strstr (bad_check->message, "check digit"));

  p3 = till_catalog_lookup_barcode (catalog, "40063\n81333931", &garbage);
  ck_assert_ptr_null (p3);
  ck_assert (g_error_matches (garbage, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID));

  p4 = till_catalog_lookup_barcode (catalog, "", &empty);
  ck_assert_ptr_null (p4);
  ck_assert (g_error_matches (empty, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID));
}
END_TEST

/* /core/catalog/store-codes */
START_TEST (test_store_code)
{
  g_autoptr (GError) error = NULL;
  gint64 id = add ("2001", "店内面包", "ST-0042", 650, 0);
  g_autoptr (TillProduct) product = till_catalog_lookup_barcode (catalog, "ST-0042", &error);
  g_autoptr (TillProduct) missing = NULL;

  ck_assert_ptr_nonnull (product);
  ck_assert_int_eq (till_product_get_id (product), id);
  missing = till_catalog_lookup_barcode (catalog, "ST-0043", &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
}
END_TEST

/* /core/catalog/inactive-not-found */
START_TEST (test_inactive_not_found)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) plu_error = NULL;
  TillProductSpec spec = {
    .sku = "3001",
    .name = "停售商品",
    .plu = "40001",
    .unit = "个",
    .price = 100,
    .vat_rate = 1300,
    .active = FALSE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);
  g_autoptr (TillProduct) by_code = NULL;
  g_autoptr (TillProduct) by_plu = NULL;
  g_autoptr (TillProduct) by_id = NULL;
  g_autoptr (GPtrArray) found = NULL;

  ck_assert_int_gt (id, 0);
  ck_assert (till_catalog_add_barcode (catalog, id, "4006381333931", &error));
  ck_assert (till_catalog_set_popularity (catalog, id, 1, &error));

  by_code = till_catalog_lookup_barcode (catalog, "4006381333931", &error);
  ck_assert_ptr_null (by_code);
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  by_plu = till_catalog_lookup_plu (catalog, "40001", &plu_error);
  ck_assert_ptr_null (by_plu);
  ck_assert (g_error_matches (plu_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));

  /* Old carts and sales still need to show it. */
  by_id = till_catalog_lookup_id (catalog, id, NULL);
  ck_assert_ptr_nonnull (by_id);
  ck_assert (!till_product_get_active (by_id));

  found = till_catalog_search (catalog, "TS", 10, NULL);
  ck_assert_uint_eq (found->len, 0);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = till_catalog_list_popular (catalog, 10, NULL);
  ck_assert_uint_eq (found->len, 0);
}
END_TEST

/* /core/catalog/lookup-plu */
START_TEST (test_lookup_plu)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = {
    .sku = "4001",
    .name = "香蕉",
    .plu = "10001",
    .unit = "kg",
    .price = 698,
    .vat_rate = 900,
    .weighed = TRUE,
    .active = TRUE,
  };
  gint64 id = till_catalog_add_product (catalog, &spec, &error);
  g_autoptr (TillProduct) product = till_catalog_lookup_plu (catalog, "10001", &error);
  g_autoptr (TillProduct) missing = NULL;

  ck_assert_ptr_nonnull (product);
  ck_assert_int_eq (till_product_get_id (product), id);
  ck_assert (till_product_get_weighed (product));
  ck_assert_str_eq (till_product_get_plu (product), "10001");
  ck_assert_str_eq (till_product_get_unit (product), "kg");
  missing = till_catalog_lookup_plu (catalog, "10002", &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "10002"));
}
END_TEST

/* /core/catalog/lookup-id-missing */
START_TEST (test_lookup_id_missing)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, 999, &error);

  ck_assert_ptr_null (product);
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
}
END_TEST

/* /core/catalog/duplicates-refused */
START_TEST (test_duplicates_refused)
{
  g_autoptr (GError) sku_error = NULL;
  g_autoptr (GError) plu_error = NULL;
  g_autoptr (GError) code_error = NULL;
  g_autoptr (GError) bad_code_error = NULL;
  gint64          id = add ("1001", "可口可乐 500ml", "4006381333931", 300, 0);
  gint64          other = add ("1002", "雪碧 500ml", NULL, 300, 0);
  TillProductSpec same_sku = { .sku = "1001", .name = "别的", .unit = "个", .active = TRUE };
  TillProductSpec with_plu = {
    .sku = "1003", .name = "苹果", .plu = "10002", .unit = "kg", .active = TRUE
  };
  TillProductSpec same_plu = {
    .sku = "1004", .name = "梨", .plu = "10002", .unit = "kg", .active = TRUE
  };

  ck_assert_int_eq (till_catalog_add_product (catalog, &same_sku, &sku_error), 0);
  ck_assert (g_error_matches (sku_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE));
  ck_assert_ptr_nonnull (strstr (sku_error->message, "1001"));

  ck_assert_int_gt (till_catalog_add_product (catalog, &with_plu, NULL), 0);
  ck_assert_int_eq (till_catalog_add_product (catalog, &same_plu, &plu_error), 0);
  ck_assert (g_error_matches (plu_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE));
  ck_assert_ptr_nonnull (strstr (plu_error->message, "10002"));

  ck_assert (!till_catalog_add_barcode (catalog, other, "4006381333931", &code_error));
  ck_assert (g_error_matches (code_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE));

  ck_assert (!till_catalog_add_barcode (catalog, id, "4006381333932", &bad_code_error));
  ck_assert (g_error_matches (bad_code_error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_INVALID));

  ck_assert_int_eq (till_catalog_count_products (catalog, NULL), 3);
}
END_TEST

/* /core/catalog/search-initials */
START_TEST (test_search_initials)
{
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GError) error = NULL;

  add ("1", "可口可乐 500ml", NULL, 300, 0);
  add ("2", "可口可乐 330ml", NULL, 250, 5);
  add ("3", "康师傅 红烧牛肉面", NULL, 450, 0);
  add ("4", "百事可乐 500ml", NULL, 300, 0);
  add ("5", "矿泉水", NULL, 150, 0);

  found = till_catalog_search (catalog, "kkkl", 10, &error);
  ck_assert_ptr_nonnull (found);
  ck_assert_uint_eq (found->len, 2);
  /* The ranked one first within the group. */
  ck_assert_str_eq (till_product_get_sku (found->pdata[0]), "2");
  ck_assert_str_eq (till_product_get_sku (found->pdata[1]), "1");
  g_clear_pointer (&found, g_ptr_array_unref);

  /* Prefix matches before initials that contain the query elsewhere. */
  found = till_catalog_search (catalog, "KL", 10, &error);
  ck_assert_uint_eq (found->len, 3);
  ck_assert (contains_sku (found, "4"));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "K", 10, &error);
  ck_assert_uint_ge (found->len, 4);
  ck_assert_int_lt (index_of_sku (found, "5"), index_of_sku (found, "4"));
  ck_assert_int_lt (index_of_sku (found, "3"), index_of_sku (found, "4"));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "K", 2, &error);
  ck_assert_uint_eq (found->len, 2);
}
END_TEST

/* /core/catalog/search-name-and-plu */
START_TEST (test_search_name)
{
  g_autoptr (GPtrArray) found = NULL;
  TillProductSpec banana = { .sku = "9",
                             .name = "香蕉",
                             .plu = "10001",
                             .unit = "kg",
                             .price = 698,
                             .weighed = TRUE,
                             .active = TRUE };

  add ("1", "可口可乐 500ml", NULL, 300, 0);
  add ("2", "百事可乐 500ml", NULL, 300, 0);
  add ("3", "康师傅 红烧牛肉面", NULL, 450, 0);
  ck_assert_int_gt (till_catalog_add_product (catalog, &banana, NULL), 0);

  found = till_catalog_search (catalog, "可乐", 10, NULL);
  ck_assert_uint_eq (found->len, 2);
  ck_assert (contains_sku (found, "1") && contains_sku (found, "2"));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "  牛肉 ", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  ck_assert (contains_sku (found, "3"));
  g_clear_pointer (&found, g_ptr_array_unref);

  /* A keyed PLU finds its product alone, not names with those digits. */
  add ("4", "农夫山泉 饮用天然水 10001ml", NULL, 300, 0);
  found = till_catalog_search (catalog, "10001", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (till_product_get_sku (found->pdata[0]), "9");
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "", 10, NULL);
  ck_assert_uint_eq (found->len, 0);
}
END_TEST

/* /core/catalog/search-escapes-wildcards */
START_TEST (test_search_escapes)
{
  g_autoptr (GPtrArray) found = NULL;

  add ("1", "满减 100%纯果汁", NULL, 600, 0);
  add ("2", "纯果汁 1L", NULL, 900, 0);
  add ("3", "A_B 组合装", NULL, 900, 0);
  add ("4", "AXB 组合装", NULL, 900, 0);

  found = till_catalog_search (catalog, "%", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  ck_assert (contains_sku (found, "1"));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "0%纯", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "A_B", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  ck_assert (contains_sku (found, "3"));
  g_clear_pointer (&found, g_ptr_array_unref);

  found = till_catalog_search (catalog, "_", 10, NULL);
  ck_assert_uint_eq (found->len, 1);
  ck_assert (contains_sku (found, "3"));
}
END_TEST

/* /core/catalog/popular */
START_TEST (test_popular)
{
  g_autoptr (GPtrArray) popular = NULL;
  g_autoptr (GError) error = NULL;

  add ("1", "牛奶", NULL, 300, 3);
  add ("2", "矿泉水", NULL, 200, 1);
  add ("3", "面包", NULL, 500, 0);
  add ("4", "鸡蛋", NULL, 1200, 2);

  popular = till_catalog_list_popular (catalog, 10, &error);
  ck_assert_uint_eq (popular->len, 3);
  ck_assert_str_eq (till_product_get_sku (popular->pdata[0]), "2");
  ck_assert_str_eq (till_product_get_sku (popular->pdata[1]), "4");
  ck_assert_str_eq (till_product_get_sku (popular->pdata[2]), "1");
  g_clear_pointer (&popular, g_ptr_array_unref);

  popular = till_catalog_list_popular (catalog, 2, &error);
  ck_assert_uint_eq (popular->len, 2);

  ck_assert (!till_catalog_set_popularity (catalog, 999, 1, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
}
END_TEST

/* /core/catalog/categories-recursive */
START_TEST (test_categories)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) top = NULL;
  g_autoptr (GPtrArray) children = NULL;
  g_autoptr (GPtrArray) products = NULL;
  gint64          drinks = till_catalog_add_category (catalog, 0, "饮料", &error);
  gint64          soda = till_catalog_add_category (catalog, drinks, "碳酸饮料", &error);
  gint64          cola = till_catalog_add_category (catalog, soda, "可乐", &error);
  gint64          water = till_catalog_add_category (catalog, drinks, "饮用水", &error);
  gint64          snacks = till_catalog_add_category (catalog, 0, "零食", &error);
  TillProductSpec spec = { .unit = "瓶", .price = 300, .vat_rate = 1300, .active = TRUE };

  ck_assert_ptr_null (error);
  spec.sku = "1", spec.name = "可口可乐", spec.category_id = cola;
  ck_assert_int_gt (till_catalog_add_product (catalog, &spec, NULL), 0);
  spec.sku = "2", spec.name = "农夫山泉", spec.category_id = water;
  ck_assert_int_gt (till_catalog_add_product (catalog, &spec, NULL), 0);
  spec.sku = "3", spec.name = "乐事薯片", spec.category_id = snacks;
  ck_assert_int_gt (till_catalog_add_product (catalog, &spec, NULL), 0);
  spec.sku = "4", spec.name = "停售雪碧", spec.category_id = soda, spec.active = FALSE;
  ck_assert_int_gt (till_catalog_add_product (catalog, &spec, NULL), 0);

  top = till_catalog_list_categories (catalog, 0, &error);
  ck_assert_uint_eq (top->len, 2);
  ck_assert_str_eq (till_category_get_name (top->pdata[0]), "饮料");
  ck_assert_int_eq (till_category_get_parent_id (top->pdata[0]), 0);
  ck_assert_str_eq (till_category_get_name (top->pdata[1]), "零食");

  children = till_catalog_list_categories (catalog, drinks, &error);
  ck_assert_uint_eq (children->len, 2);
  ck_assert_int_eq (till_category_get_id (children->pdata[0]), soda);
  ck_assert_int_eq (till_category_get_parent_id (children->pdata[0]), drinks);

  products = till_catalog_list_category_products (catalog, drinks, 0, &error);
  ck_assert_uint_eq (products->len, 2);
  ck_assert (contains_sku (products, "1") && contains_sku (products, "2"));
  g_clear_pointer (&products, g_ptr_array_unref);

  products = till_catalog_list_category_products (catalog, soda, 0, &error);
  ck_assert_uint_eq (products->len, 1);
  ck_assert (contains_sku (products, "1"));
  g_clear_pointer (&products, g_ptr_array_unref);

  /* A product in an unknown category is refused. */
  spec.sku = "5", spec.category_id = 999;
  ck_assert_int_eq (till_catalog_add_product (catalog, &spec, &error), 0);
  ck_assert_ptr_nonnull (error);
}
END_TEST

/* /core/catalog/category-codes: codes of a category and its ancestors, leaf
 * first, skipping those without one; unique; the cache follows changes */
START_TEST (test_category_codes)
{
  g_autoptr (GError) error = NULL;
  gint64 drinks = till_catalog_add_category (catalog, 0, "饮料", &error);
  gint64 soda = till_catalog_add_category (catalog, drinks, "碳酸饮料", &error);
  gint64 cola = till_catalog_add_category (catalog, soda, "可乐", &error);
  gint64 snacks = till_catalog_add_category (catalog, 0, "零食", &error);
  g_auto (GStrv) codes = NULL;

  ck_assert_ptr_null (error);
  ck_assert (till_catalog_set_category_code (catalog, drinks, "D", &error));
  ck_assert (till_catalog_set_category_code (catalog, cola, "D-COLA", &error));

  /* soda has no code: skipped. */
  codes = till_catalog_get_category_codes (catalog, cola, &error);
  ck_assert_ptr_nonnull (codes);
  ck_assert_uint_eq (g_strv_length (codes), 2);
  ck_assert_str_eq (codes[0], "D-COLA");
  ck_assert_str_eq (codes[1], "D");
  g_clear_pointer (&codes, g_strfreev);

  codes = till_catalog_get_category_codes (catalog, snacks, &error);
  ck_assert_ptr_null (codes);
  ck_assert_ptr_null (error);
  codes = till_catalog_get_category_codes (catalog, 0, &error);
  ck_assert_ptr_null (codes);

  /* Asked once (cached), then changed: the answer follows. */
  codes = till_catalog_get_category_codes (catalog, soda, &error);
  ck_assert_str_eq (codes[0], "D");
  g_clear_pointer (&codes, g_strfreev);
  ck_assert (till_catalog_set_category_code (catalog, soda, "D-SODA", &error));
  codes = till_catalog_get_category_codes (catalog, soda, &error);
  ck_assert_str_eq (codes[0], "D-SODA");
  ck_assert_str_eq (codes[1], "D");
  g_clear_pointer (&codes, g_strfreev);

  /* A change made behind the catalog's back shows after it forgets. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "UPDATE category SET code = 'DRINKS' WHERE code = 'D'", NULL,
                                  NULL, NULL),
                    SQLITE_OK);
  codes = till_catalog_get_category_codes (catalog, soda, &error);
  ck_assert_str_eq (codes[1], "D");
  g_clear_pointer (&codes, g_strfreev);
  _till_catalog_forget_category_codes (catalog);
  codes = till_catalog_get_category_codes (catalog, soda, &error);
  ck_assert_str_eq (codes[1], "DRINKS");
  g_clear_pointer (&codes, g_strfreev);

  /* Unique, and only for a category that exists; NULL removes it. */
  ck_assert (!till_catalog_set_category_code (catalog, snacks, "D-SODA", &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_DUPLICATE));
  g_clear_error (&error);
  ck_assert (!till_catalog_set_category_code (catalog, 999, "X", &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
  g_clear_error (&error);
  ck_assert (till_catalog_set_category_code (catalog, soda, NULL, &error));
  codes = till_catalog_get_category_codes (catalog, soda, &error);
  ck_assert_uint_eq (g_strv_length (codes), 1);
  ck_assert_str_eq (codes[0], "DRINKS");
}
END_TEST

/* /core/catalog/search-ranking: ranked products first by rank, then the others;
 * among initials that contain the query, catalog order, whatever the initials */
START_TEST (test_search_ranking)
{
  g_autoptr (GPtrArray) found = NULL;
  g_autoptr (GPtrArray) again = NULL;

  add ("1", "百事可乐", NULL, 300, 0); /* BSKL */
  add ("2", "爱可乐", NULL, 300, 0);   /* AKL: first by initials, second by id */
  add ("3", "大可乐", NULL, 300, 2);   /* DKL */
  add ("4", "小可乐", NULL, 300, 1);   /* XKL */
  add ("5", "可乐糖", NULL, 300, 0);   /* KLT: the prefix group */
  add ("6", "可乐饼", NULL, 300, 3);   /* KLB */

  found = till_catalog_search (catalog, "KL", 10, NULL);
  ck_assert_uint_eq (found->len, 6);
  ck_assert_str_eq (till_product_get_sku (found->pdata[0]), "6");
  ck_assert_str_eq (till_product_get_sku (found->pdata[1]), "5");
  ck_assert_str_eq (till_product_get_sku (found->pdata[2]), "4");
  ck_assert_str_eq (till_product_get_sku (found->pdata[3]), "3");
  ck_assert_str_eq (till_product_get_sku (found->pdata[4]), "1");
  ck_assert_str_eq (till_product_get_sku (found->pdata[5]), "2");

  /* The same query gives the same list, and a limit cuts it, not reorders it. */
  again = till_catalog_search (catalog, "KL", 3, NULL);
  ck_assert_uint_eq (again->len, 3);
  for (guint i = 0; i < again->len; i++)
    ck_assert_int_eq (till_product_get_id (again->pdata[i]), till_product_get_id (found->pdata[i]));
}
END_TEST

/* The ids search should return for @query, worked out the slow way: every
 * product read, in the documented order. */
static GArray *
expected_search (const char *query, guint limit)
{
  sqlite3 *db = till_store_get_db (store);
  GArray  *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) seen = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree char *upper = g_ascii_strup (query, -1);
  gboolean         alnum = TRUE;
  gboolean         digits = TRUE;
  const char      *groups[3] = { NULL, NULL, NULL };

  for (const char *p = query; *p != '\0'; p++)
    {
      alnum = alnum && g_ascii_isalnum (*p);
      digits = digits && g_ascii_isdigit (*p);
    }
  if (digits)
    groups[0] = "SELECT id FROM product WHERE plu = ?1 AND active";
  if (alnum)
    {
      groups[1] = "SELECT id FROM product WHERE substr (pinyin, 1, length (?2)) = ?2 AND active"
                  " ORDER BY popularity = 0, popularity, pinyin, id";
      groups[2] = "SELECT id FROM product WHERE instr (pinyin, ?2) > 1 AND active"
                  " ORDER BY popularity = 0, popularity,"
                  " CASE WHEN popularity > 0 THEN pinyin END, id";
    }
  else
    groups[2] = "SELECT id FROM product WHERE instr (name, ?1) > 0 AND active"
                " ORDER BY popularity = 0, popularity,"
                " CASE WHEN popularity > 0 THEN pinyin END, id";

  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      g_autoptr (sqlite3_stmt) stmt = NULL;

      if (groups[g] == NULL)
        continue;
      ck_assert_int_eq (sqlite3_prepare_v2 (db, groups[g], -1, &stmt, NULL), SQLITE_OK);
      sqlite3_bind_text (stmt, 1, query, -1, SQLITE_STATIC);
      if (sqlite3_bind_parameter_count (stmt) >= 2)
        sqlite3_bind_text (stmt, 2, upper, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW && (limit == 0 || ids->len < limit))
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          if (g_hash_table_contains (seen, GSIZE_TO_POINTER ((gsize) id)))
            continue;
          g_array_append_val (ids, id);
          g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) id));
        }
      /* An exact PLU is the whole answer. */
      if (g == 0 && ids->len > 0)
        break;
    }
  return ids;
}

static void
assert_search_as_expected (const char *query, guint limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) found = till_catalog_search (catalog, query, limit, &error);
  g_autoptr (GArray) expected = expected_search (query, limit);

  ck_assert_msg (found != NULL, "%s: %s", query, error ? error->message : "");
  ck_assert_msg (found->len == expected->len, "“%s” limit %u: %u products, expected %u", query,
                 limit, found->len, expected->len);
  for (guint i = 0; i < found->len; i++)
    ck_assert_msg (till_product_get_id (found->pdata[i]) == g_array_index (expected, gint64, i),
                   "“%s” limit %u: product %u is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                   query, limit, i, till_product_get_id (found->pdata[i]),
                   g_array_index (expected, gint64, i));
}

/* Fills the store with many products, some ranked, some withdrawn, some with a
 * PLU or Latin letters. */
static void
add_many_products (guint n)
{
  static const char *const words[] = { "可", "口", "乐", "牛", "奶", "饼", "干",
                                       "面", "包", "果", "茶", "蛋", "糕" };
  g_autoptr (GError) error = NULL;

  ck_assert (till_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sku = g_strdup_printf ("M%u", i);
      g_autofree char *plu = i % 97 == 0 ? g_strdup_printf ("%u", 5000 + i) : NULL;
      g_autofree char *name =
          g_strdup_printf ("%s%s%s%s %u", words[i % 13], words[(i / 13) % 13],
                           words[(i / 169) % 13], i % 700 == 0 ? " VC" : "", i % 50);
      TillProductSpec spec = {
        .sku = sku,
        .name = name,
        .plu = plu,
        .unit = "个",
        .price = 100,
        .vat_rate = 1300,
        .active = i % 11 != 0,
      };
      gint64 id = till_catalog_add_product (catalog, &spec, &error);

      ck_assert_msg (id > 0, "%s", error ? error->message : "");
      if (i % 301 == 0)
        ck_assert (till_catalog_set_popularity (catalog, id, (int) (n - i), &error));
    }
  ck_assert (till_store_commit (store, &error));
}

static const char *const large_queries[] = {
  "KL",   "kl",   "NN",   "NNB",    "GMB", "BG",     "K",    "V",    "VC",   "5",    "12",
  "5097", "牛奶", "饼干", "奶饼干", "乐",  "可口可", "口 1", "无此", "干果", "乐牛", "蛋糕 4",
};

/* /core/catalog/search-large: in a catalog larger than the part search scans,
 * each kind of query finds what reading every product finds, in the same order */
START_TEST (test_search_large)
{
  add_many_products (6000);

  for (gsize i = 0; i < G_N_ELEMENTS (large_queries); i++)
    {
      assert_search_as_expected (large_queries[i], 20);
      assert_search_as_expected (large_queries[i], 3);
      assert_search_as_expected (large_queries[i], 0);
    }
}
END_TEST

static Suite *
catalog_suite (void)
{
  Suite *suite = suite_create ("core/catalog");
  TCase *tc;

  tc = tcase_create ("product");
  tcase_add_test (tc, test_product_properties);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("lookup");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_lookup_barcode);
  tcase_add_test (tc, test_lookup_second_barcode);
  tcase_add_test (tc, test_lookup_upca);
  tcase_add_test (tc, test_unknown_vs_invalid);
  tcase_add_test (tc, test_store_code);
  tcase_add_test (tc, test_inactive_not_found);
  tcase_add_test (tc, test_lookup_plu);
  tcase_add_test (tc, test_lookup_id_missing);
  tcase_add_test (tc, test_duplicates_refused);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("browse");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_search_initials);
  tcase_add_test (tc, test_search_name);
  tcase_add_test (tc, test_search_escapes);
  tcase_add_test (tc, test_search_ranking);
  tcase_add_test (tc, test_search_large);
  tcase_add_test (tc, test_popular);
  tcase_add_test (tc, test_categories);
  tcase_add_test (tc, test_category_codes);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (catalog_suite ());
}
