/* test-demo.c: tests for src/core/till-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

static char *scratch;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static TillStore *
open_store (const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (scratch, name, NULL);
  TillStore       *store = till_store_open (path, &error);

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  return store;
}

static TillStore *
make_demo (const char *name, guint n_skus, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  TillStore *store = open_store (name);

  ck_assert_msg (till_demo_populate (store, n_skus, seed, &error), "%s",
                 error ? error->message : "");
  return store;
}

static gint64
query_int (TillStore *store, const char *sql)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* A digest of everything the generator decides, to compare two runs. */
static char *
catalog_digest (TillStore *store)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  sqlite3_prepare_v2 (till_store_get_db (store),
                      "SELECT p.sku, p.name, p.price, p.member_price, p.cost, p.plu, p.popularity,"
                      " p.category_id, group_concat (b.code) FROM product p"
                      " LEFT JOIN barcode b ON b.product_id = p.id GROUP BY p.id ORDER BY p.id",
                      -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (int i = 0; i < sqlite3_column_count (stmt); i++)
      {
        const char *text = (const char *) sqlite3_column_text (stmt, i);

        g_checksum_update (checksum, (const guchar *) (text ? text : "-"), -1);
        g_checksum_update (checksum, (const guchar *) "|", 1);
      }
  return g_strdup (g_checksum_get_string (checksum));
}

/* /core/demo/counts-and-settings */
START_TEST (test_counts_and_settings)
{
  g_autoptr (TillStore) store = make_demo ("till.db", TILL_DEMO_DEFAULT_SKUS, 1);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (GPtrArray) top = till_catalog_list_categories (catalog, 0, NULL);
  g_autofree char *store_name = till_store_get_setting (store, "store.name");
  g_autofree char *rounding = till_store_get_setting (store, "rounding");
  g_autofree char *till_id = till_store_get_setting (store, "till.id");
  g_autofree char *footer = till_store_get_setting (store, "receipt.footer");
  g_autofree char *address = till_store_get_setting (store, "store.address");
  g_autofree char *phone = till_store_get_setting (store, "store.phone");
  TillRounding     rule;

  ck_assert_int_eq (till_catalog_count_products (catalog, NULL), TILL_DEMO_DEFAULT_SKUS);
  ck_assert_int_eq (query_int (store, "SELECT count(DISTINCT name) FROM product"),
                    TILL_DEMO_DEFAULT_SKUS);
  ck_assert_uint_eq (top->len, 8);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM category"), 25);
  ck_assert_str_eq (store_name, "开心便利店（演示店）");
  ck_assert_str_eq (address, "上海市浦东新区世纪大道100号");
  ck_assert_str_eq (phone, "021-5888 6666");
  ck_assert_str_eq (till_id, "T01");
  ck_assert_str_eq (footer, "谢谢惠顾，欢迎再次光临！");
  ck_assert (till_rounding_from_string (rounding, &rule));
  ck_assert_int_eq (rule, TILL_ROUNDING_DROP_FEN);
  ck_assert_int_eq (query_int (store,
                               "SELECT count(*) FROM user WHERE code = '" TILL_DEMO_CASHIER_CODE
                               "' AND role = 'cashier'"),
                    1);
  ck_assert_int_eq (query_int (store,
                               "SELECT count(*) FROM user WHERE code = '" TILL_DEMO_MANAGER_CODE
                               "' AND role = 'manager'"),
                    1);
  /* Every product sits in a leaf category, every category has products. */
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE category_id IS NULL"), 0);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM category c WHERE NOT EXISTS"
                                      " (SELECT 1 FROM category k WHERE k.parent_id = c.id)"
                                      " AND NOT EXISTS (SELECT 1 FROM product p"
                                      " WHERE p.category_id = c.id)"),
                    0);
}
END_TEST

/* /core/demo/users-sign-in */
START_TEST (test_users_sign_in)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 100, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) cashier =
      till_user_authenticate (store, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN, &error);
  g_autoptr (TillUser) manager = NULL;

  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_name (cashier), "王小丽");
  ck_assert_int_eq (till_user_get_role (cashier), TILL_ROLE_CASHIER);
  manager = till_user_authenticate (store, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN, &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_name (manager), "李经理");
  ck_assert_int_eq (till_user_get_role (manager), TILL_ROLE_MANAGER);
}
END_TEST

/* /core/demo/barcodes-valid-and-unique */
START_TEST (test_barcodes)
{
  g_autoptr (TillStore) store = make_demo ("till.db", TILL_DEMO_DEFAULT_SKUS, 2);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 n_counted = query_int (store, "SELECT count(*) FROM product WHERE NOT weighed");
  gint64 n_two = query_int (store, "SELECT count(*) FROM (SELECT product_id FROM barcode"
                                   " GROUP BY product_id HAVING count(*) = 2)");

  sqlite3_prepare_v2 (till_store_get_db (store), "SELECT code FROM barcode", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);

      ck_assert_msg (till_barcode_classify (code) == TILL_BARCODE_EAN13, "%s", code);
      ck_assert_msg (g_str_has_prefix (code, "69"), "%s", code);
      ck_assert_msg (!g_hash_table_contains (seen, code), "%s twice", code);
      g_hash_table_add (seen, g_strdup (code));
    }
  ck_assert_uint_ge (g_hash_table_size (seen), n_counted);
  /* Every counted product carries a barcode; about 5 % carry two. */
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product p WHERE NOT weighed AND"
                                      " NOT EXISTS (SELECT 1 FROM barcode b"
                                      " WHERE b.product_id = p.id)"),
                    0);
  ck_assert_int_ge (n_two, n_counted * 2 / 100);
  ck_assert_int_le (n_two, n_counted * 9 / 100);
}
END_TEST

/* /core/demo/weighed-goods */
START_TEST (test_weighed)
{
  g_autoptr (TillStore) store = make_demo ("till.db", TILL_DEMO_DEFAULT_SKUS, 3);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (TillProduct) first = NULL;
  gint64 n_weighed = query_int (store, "SELECT count(*) FROM product WHERE weighed");

  ck_assert_int_ge (n_weighed, TILL_DEMO_DEFAULT_SKUS * 4 / 100);
  ck_assert_int_le (n_weighed, TILL_DEMO_DEFAULT_SKUS * 6 / 100);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE weighed AND"
                                      " (unit <> 'kg' OR plu IS NULL OR length (plu) <> 5"
                                      " OR plu GLOB '*[^0-9]*' OR vat_rate <> 900)"),
                    0);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM barcode b JOIN product p"
                                      " ON p.id = b.product_id WHERE p.weighed"),
                    0);
  first = till_catalog_lookup_plu (catalog, "10001", NULL);
  ck_assert_ptr_nonnull (first);
  ck_assert (till_product_get_weighed (first));
  /* Prices per kg are realistic: between 1 and 1,000 yuan. */
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE weighed AND"
                                      " (price < 100 OR price > 100000)"),
                    0);
}
END_TEST

/* /core/demo/prices-and-vat */
START_TEST (test_prices)
{
  g_autoptr (TillStore) store = make_demo ("till.db", TILL_DEMO_DEFAULT_SKUS, 4);

  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE price <= 0"
                                      " OR cost <= 0 OR cost >= price"),
                    0);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE member_price <> 0"
                                      " AND member_price >= price"),
                    0);
  ck_assert_int_gt (query_int (store, "SELECT count(*) FROM product WHERE member_price > 0"),
                    TILL_DEMO_DEFAULT_SKUS / 20);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product WHERE vat_rate NOT IN"
                                      " (900, 1300)"),
                    0);
  /* Rice and oil are 9 %, soy sauce 13 %. */
  ck_assert_int_eq (query_int (store, "SELECT vat_rate FROM product WHERE name ="
                                      " '金龙鱼 东北大米 5kg'"),
                    900);
  ck_assert_int_eq (query_int (store, "SELECT vat_rate FROM product WHERE name ="
                                      " '海天 金标生抽 500ml'"),
                    1300);
  ck_assert_int_eq (query_int (store, "SELECT price FROM product WHERE name ="
                                      " '可口可乐 500ml'"),
                    300);
}
END_TEST

/* /core/demo/quick-keys */
START_TEST (test_quick_keys)
{
  g_autoptr (TillStore) store = make_demo ("till.db", TILL_DEMO_DEFAULT_SKUS, 5);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (GPtrArray) popular = till_catalog_list_popular (catalog, 100, NULL);
  g_autoptr (GPtrArray) small_popular = NULL;
  g_autoptr (TillStore) small = make_demo ("small.db", 30, 5);
  g_autoptr (TillCatalog) small_catalog = till_catalog_new (small);

  ck_assert_uint_eq (popular->len, 48);
  ck_assert_str_eq (till_product_get_name (popular->pdata[0]), "农夫山泉 饮用天然水 550ml");
  ck_assert_str_eq (till_product_get_name (popular->pdata[1]), "可口可乐 500ml");
  ck_assert_int_eq (query_int (store, "SELECT count(DISTINCT popularity) FROM product"
                                      " WHERE popularity > 0"),
                    48);
  ck_assert_int_eq (query_int (store, "SELECT max (popularity) FROM product"), 48);

  /* Even a tiny store has the top sellers. */
  small_popular = till_catalog_list_popular (small_catalog, 100, NULL);
  ck_assert_uint_ge (small_popular->len, 20);
  ck_assert_str_eq (till_product_get_name (small_popular->pdata[0]), "农夫山泉 饮用天然水 550ml");
}
END_TEST

/* /core/demo/deterministic */
START_TEST (test_deterministic)
{
  g_autoptr (TillStore) a = make_demo ("a.db", 3000, 42);
  g_autoptr (TillStore) b = make_demo ("b.db", 3000, 42);
  g_autoptr (TillStore) c = make_demo ("c.db", 3000, 43);
  g_autofree char *digest_a = catalog_digest (a);
  g_autofree char *digest_b = catalog_digest (b);
  g_autofree char *digest_c = catalog_digest (c);

  ck_assert_str_eq (digest_a, digest_b);
  ck_assert_str_ne (digest_a, digest_c);
}
END_TEST

/* /core/demo/refuses-non-empty-store */
START_TEST (test_refuses_non_empty)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 50, 1);
  g_autoptr (GError) error = NULL;

  ck_assert (!till_demo_populate (store, 50, 2, &error));
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_FAILED));
  ck_assert_ptr_nonnull (strstr (error->message, "already has 50 products"));
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM product"), 50);
  ck_assert (!till_store_in_transaction (store));
}
END_TEST

/* /core/demo/scales */
START_TEST (test_scales)
{
  const guint n = 40000;
  g_autoptr (TillStore) store = make_demo ("big.db", n, 9);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (GPtrArray) found = NULL;

  ck_assert_int_eq (till_catalog_count_products (catalog, NULL), n);
  ck_assert_int_eq (query_int (store, "SELECT count(DISTINCT name) FROM product"), n);
  ck_assert_int_eq (query_int (store, "SELECT count(DISTINCT sku) FROM product"), n);
  found = till_catalog_search (catalog, "NFSQ", 20, NULL);
  ck_assert_uint_eq (found->len, 20);
  ck_assert_str_eq (till_product_get_name (found->pdata[0]), "农夫山泉 饮用天然水 550ml");
}
END_TEST

/* /core/demo/tenders: every tender on, cards with balances, vouchers that
 * pay (and one that has expired) */
START_TEST (test_tenders)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 50, 1);
  g_autofree char *enabled = till_store_get_setting (store, "tenders.enabled");
  g_autoptr (TillStoredValueAccount) wang = NULL;
  g_autoptr (TillStoredValueAccount) zhang = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert_str_eq (enabled, TILL_TENDERS_DEFAULT);
  wang = till_stored_value_find (store, TILL_DEMO_STORED_VALUE_CARD, &error);
  ck_assert_msg (wang != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (wang->holder, "王芳");
  ck_assert_int_eq (wang->balance, 55000);
  ck_assert_int_eq (query_int (store,
                               "SELECT count(*) FROM sv_ledger l JOIN sv_account a ON "
                               "a.id = l.account_id WHERE a.card_no = '" TILL_DEMO_STORED_VALUE_CARD
                               "' AND l.kind = 'bonus' "
                               "AND l.amount = 5000"),
                    1);
  zhang = till_stored_value_find (store, TILL_DEMO_STORED_VALUE_SMALL_CARD, &error);
  ck_assert_msg (zhang != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (zhang->balance, 3000);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM voucher WHERE code BETWEEN "
                                      "'V2026001' AND 'V2026005' AND face_value = 1000 AND "
                                      "min_spend = 5000 AND state = 'issued'"),
                    5);
  ck_assert_int_eq (query_int (store,
                               "SELECT face_value FROM voucher WHERE code = '" TILL_DEMO_VOUCHER_ANY
                               "' AND min_spend = 0"),
                    2000);
  /* The expired one is refused by the voucher tender. */
  ck_assert (till_store_begin (store, NULL));
  ck_assert (!_till_voucher_redeem (store, TILL_DEMO_VOUCHER_EXPIRED, 10000, "s", &error));
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DECLINED));
  g_clear_error (&error);
  ck_assert (_till_voucher_redeem (store, TILL_DEMO_VOUCHER_ANY, 100, "s", &error));
  till_store_rollback (store);
}
END_TEST

/* /core/demo/category-codes: every category has a short ASCII code, unique,
 * its parent's code as its prefix, and the catalog gives a product's codes
 * from its own category up. */
START_TEST (test_category_codes)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 50, 1);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (TillProduct) tea = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) codes = NULL;

  ck_assert_int_gt (query_int (store, "SELECT count(*) FROM category"), 20);
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM category WHERE code IS NULL"), 0);
  ck_assert_int_eq (query_int (store, "SELECT count(DISTINCT code) FROM category"),
                    query_int (store, "SELECT count(*) FROM category"));
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT c.code, p.code FROM category c "
                                        "LEFT JOIN category p ON p.id = c.parent_id",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *code = (const char *) sqlite3_column_text (stmt, 0);
      const char *parent = (const char *) sqlite3_column_text (stmt, 1);

      ck_assert_uint_le (strlen (code), 20);
      for (const char *c = code; *c != '\0'; c++)
        ck_assert_msg (g_ascii_isupper (*c) || *c == '-', "not a plain code: %s", code);
      if (parent != NULL)
        {
          g_autofree char *prefix = g_strconcat (parent, "-", NULL);

          ck_assert_msg (g_str_has_prefix (code, prefix), "%s is not under %s", code, parent);
        }
    }

  tea = till_catalog_lookup_id (
      catalog, query_int (store, "SELECT id FROM product WHERE name = '康师傅 冰红茶 500ml'"),
      &error);
  ck_assert_msg (tea != NULL, "%s", error ? error->message : "");
  codes = till_catalog_get_category_codes (catalog, till_product_get_category_id (tea), &error);
  ck_assert_msg (codes != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (g_strv_length (codes), 2);
  ck_assert_str_eq (codes[0], "DRINK-TEA");
  ck_assert_str_eq (codes[1], "DRINK");
}
END_TEST

static const char *const demo_promotion_codes[] = {
  TILL_DEMO_PROMOTION_DRINKS, TILL_DEMO_PROMOTION_SNACKS, TILL_DEMO_PROMOTION_SPEND,
  TILL_DEMO_PROMOTION_BRAND,  TILL_DEMO_PROMOTION_GIFT,   TILL_DEMO_PROMOTION_HAPPY_HOUR,
};

static const TillPromotion *
find_promotion (GPtrArray *promotions, const char *code)
{
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      if (g_str_equal (promotion->code, code))
        return promotion;
    }
  return NULL;
}

/* /core/demo/promotions: the demo's own promotions load as the till's,
 * validate, are what till_promotion_save_local accepts, and the coupons can
 * be used. */
START_TEST (test_promotions)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 50, 1);
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (GPtrArray) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autofree char     *key = g_build_filename (scratch, "till.key", NULL);
  const char          *coupons[] = { TILL_DEMO_COUPON, TILL_DEMO_COUPON_WELCOME };
  const TillPromotion *spend;

  promotions = till_promotion_load_all (store, "S001", NULL, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (query_int (store, "SELECT count(*) FROM promotion"), 8);
  ck_assert_uint_eq (promotions->len, 8);
  for (gsize i = 0; i < G_N_ELEMENTS (demo_promotion_codes); i++)
    ck_assert_msg (find_promotion (promotions, demo_promotion_codes[i]) != NULL, "%s missing",
                   demo_promotion_codes[i]);
  for (guint i = 0; i < promotions->len; i++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, i);

      ck_assert_msg (till_promotion_validate (promotion, &error), "%s: %s", promotion->code,
                     error ? error->message : "");
      /* Names are shown to Chinese customers. */
      ck_assert_msg (g_utf8_strlen (promotion->name, -1) < (glong) strlen (promotion->name), "%s",
                     promotion->name);
    }
  spend = find_promotion (promotions, TILL_DEMO_PROMOTION_SPEND);
  ck_assert_int_eq (spend->kind, TILL_PROMOTION_THRESHOLD);
  ck_assert_uint_eq (spend->tiers->len, 2);
  ck_assert_int_eq (g_array_index (spend->tiers, TillPromotionTier, 1).min_amount, 20000);
  ck_assert_int_eq (g_array_index (spend->tiers, TillPromotionTier, 1).amount_off, 3000);

  for (gsize i = 0; i < G_N_ELEMENTS (coupons); i++)
    {
      g_autoptr (TillPromotion) coupon =
          till_promotion_find_coupon (promotions, store, coupons[i], g_get_real_time (), &error);

      ck_assert_msg (coupon != NULL, "%s: %s", coupons[i], error ? error->message : "");
      ck_assert_int_eq (coupon->kind, TILL_PROMOTION_COUPON);
      ck_assert_int_eq (coupon->coupon_multi_use, g_str_equal (coupons[i], TILL_DEMO_COUPON));
    }

  /* The manager's path takes them as they are (and journals them). */
  journal = till_journal_new (store, key, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  manager = till_user_authenticate (store, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN, &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < promotions->len; i++)
    ck_assert_msg (till_promotion_save_local (store, journal, manager, NULL,
                                              g_ptr_array_index (promotions, i), &error),
                   "%s", error ? error->message : "");
  again = till_promotion_load_all (store, "S001", NULL, &error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (again->len, promotions->len);
}
END_TEST

/* The demo product called @name. */
static TillProduct *
product_named (TillCatalog *catalog, TillStore *store, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  TillProduct *product;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT id FROM product WHERE name = ?", -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  ck_assert_msg (sqlite3_step (stmt) == SQLITE_ROW, "no product %s", name);
  product = till_catalog_lookup_id (catalog, sqlite3_column_int64 (stmt, 0), &error);
  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  return product;
}

/* @product on a line as the pricing engine sees it; @out_codes holds its
 * category codes (the line borrows them). */
static void
pricing_line (TillCatalog     *catalog,
              TillProduct     *product,
              gint64           quantity,
              TillPricingLine *line,
              GStrv           *out_codes)
{
  g_autoptr (GError) error = NULL;

  *out_codes =
      till_catalog_get_category_codes (catalog, till_product_get_category_id (product), &error);
  ck_assert_msg (*out_codes != NULL, "%s", error ? error->message : "");
  line->sku = till_product_get_sku (product);
  line->brand = till_product_get_brand (product);
  line->categories = *out_codes;
  line->quantity = quantity;
  line->unit_price = till_product_get_price (product);
  line->weighed = till_product_get_weighed (product);
}

static const TillPricingApplied *
find_applied (const TillPricingResult *result, const char *code)
{
  for (guint i = 0; i < result->applied->len; i++)
    {
      const TillPricingApplied *applied = g_ptr_array_index (result->applied, i);

      if (g_str_equal (applied->code, code))
        return applied;
    }
  return NULL;
}

/* /core/demo/promotions-apply: a demo sale at 19:00 with two iced teas, three
 * snacks, two milks, Dove chocolate, rice and bananas and the DEMO10 coupon
 * gets every demo promotion, the biscuits as a gift, and the happy hour only
 * in its window. */
START_TEST (test_promotions_apply)
{
  g_autoptr (TillStore) store = make_demo ("till.db", 2000, 1);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (GPtrArray) promotions = NULL;
  g_autoptr (GError) error = NULL;
  static const struct
  {
    const char *name;
    gint64      quantity;
  } items[] = {
    { "康师傅 冰红茶 500ml", 2000 }, { "卫龙 大面筋 106g", 3000 },
    { "伊利 纯牛奶 250ml", 2000 },   { "德芙 丝滑牛奶巧克力 43g", 1000 },
    { "金龙鱼 东北大米 5kg", 2000 }, { "香蕉", 1000 },
  };
  TillPricingLine lines[G_N_ELEMENTS (items)] = { 0 };
  TillProduct    *products[G_N_ELEMENTS (items)] = { 0 };
  GStrv           codes[G_N_ELEMENTS (items)] = { 0 };
  g_autoptr (TillProduct) biscuits = NULL;
  char     *coupons[] = { (char *) TILL_DEMO_COUPON, NULL };
  const int hours[] = { 19, 12 };

  promotions = till_promotion_load_all (store, "S001", NULL, &error);
  ck_assert_msg (promotions != NULL, "%s", error ? error->message : "");
  biscuits = product_named (catalog, store, "奥利奥 原味夹心饼干 97g");
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      products[i] = product_named (catalog, store, items[i].name);
      pricing_line (catalog, products[i], items[i].quantity, &lines[i], &codes[i]);
      lines[i].line_no = i + 1;
    }

  for (guint h = 0; h < G_N_ELEMENTS (hours); h++)
    {
      g_autoptr (GDateTime) when = g_date_time_new_local (2026, 11, 20, hours[h], 0, 0);
      TillPricingContext context = {
        .local_time = when,
        .store_id = "S001",
        .coupons = coupons,
      };
      g_autoptr (TillPricingResult) result =
          till_pricing_compute (lines, G_N_ELEMENTS (lines), promotions, &context);
      const TillPricingGift *gift;
      gint64                 shares = 0;

      for (gsize i = 0; i < G_N_ELEMENTS (demo_promotion_codes); i++)
        {
          gboolean in_window = hours[h] >= 18 && hours[h] < 21;

          if (g_str_equal (demo_promotion_codes[i], TILL_DEMO_PROMOTION_GIFT))
            continue; /* a gift saves nothing on the lines bought */
          if (g_str_equal (demo_promotion_codes[i], TILL_DEMO_PROMOTION_HAPPY_HOUR) && !in_window)
            ck_assert_ptr_null (find_applied (result, demo_promotion_codes[i]));
          else
            ck_assert_msg (find_applied (result, demo_promotion_codes[i]) != NULL,
                           "%s did not apply at %d:00", demo_promotion_codes[i], hours[h]);
        }
      ck_assert_ptr_nonnull (find_applied (result, "DEMO-COUPON-10"));
      /* 茶饮料第二件半价: the second iced tea at half its 3.50. */
      ck_assert_int_eq (find_applied (result, TILL_DEMO_PROMOTION_DRINKS)->saving, 175);
      /* 零食任选3件10元: three 5.00 snacks for 10.00. */
      ck_assert_int_eq (find_applied (result, TILL_DEMO_PROMOTION_SNACKS)->saving, 500);
      ck_assert_uint_eq (result->gifts->len, 1);
      gift = g_ptr_array_index (result->gifts, 0);
      ck_assert_str_eq (gift->code, TILL_DEMO_PROMOTION_GIFT);
      ck_assert_str_eq (gift->sku, till_product_get_sku (biscuits));
      ck_assert_int_eq (gift->quantity, TILL_QUANTITY_ONE);
      for (guint i = 0; i < result->lines->len; i++)
        {
          const TillPricingLineResult *line = g_ptr_array_index (result->lines, i);

          shares += line->discount;
        }
      ck_assert_int_eq (shares, result->saving);
    }
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_strfreev (codes[i]);
      g_object_unref (products[i]);
    }
}
END_TEST

static Suite *
demo_suite (void)
{
  Suite *suite = suite_create ("core/demo");
  TCase *tc = tcase_create ("populate");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_counts_and_settings);
  tcase_add_test (tc, test_users_sign_in);
  tcase_add_test (tc, test_barcodes);
  tcase_add_test (tc, test_weighed);
  tcase_add_test (tc, test_prices);
  tcase_add_test (tc, test_quick_keys);
  tcase_add_test (tc, test_deterministic);
  tcase_add_test (tc, test_refuses_non_empty);
  tcase_add_test (tc, test_scales);
  tcase_add_test (tc, test_tenders);
  tcase_add_test (tc, test_category_codes);
  tcase_add_test (tc, test_promotions);
  tcase_add_test (tc, test_promotions_apply);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (demo_suite ());
}
