/* test-master-data.c: tests for src/core/till-master-data.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

#define NOW_US G_GINT64_CONSTANT (1800000000000000)
#define HOUR G_TIME_SPAN_HOUR

static char        *scratch;
static TillStore   *store;
static TillCatalog *catalog;

static void
setup (void)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  scratch = till_test_make_tmpdir ();
  path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (path, &error);
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

/* The EAN-13 of a 12-digit prefix: its check digit appended. */
static char *
ean13 (const char *prefix)
{
  int sum = 0;

  ck_assert_uint_eq (strlen (prefix), 12);
  for (int i = 0; i < 12; i++)
    sum += (prefix[i] - '0') * (i % 2 == 0 ? 1 : 3);
  return g_strdup_printf ("%s%d", prefix, (10 - sum % 10) % 10);
}

static gboolean
apply (const char          *channel,
       const TillMasterRow *rows,
       guint                n_rows,
       gint64               next_cursor,
       GError             **error)
{
  return till_master_data_apply_page (store, channel, rows, n_rows, next_cursor, FALSE, -1, NOW_US,
                                      NULL, error);
}

static void
apply_ok (const char *channel, const TillMasterRow *rows, guint n_rows, gint64 next_cursor)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (apply (channel, rows, n_rows, next_cursor, &error), "%s: %s", channel,
                 error ? error->message : "");
}

static gint64
query_int (const char *sql, const char *arg)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = till_store_prepare (store, sql, &error);

  ck_assert_msg (stmt != NULL, "%s", error ? error->message : "");
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static gint64
price_of (const char *sku)
{
  return query_int ("SELECT price FROM product WHERE sku = ?", sku);
}

static gint64
member_price_of (const char *sku)
{
  return query_int ("SELECT member_price FROM product WHERE sku = ?", sku);
}

static gboolean
active_of (const char *sku)
{
  return query_int ("SELECT active FROM product WHERE sku = ?", sku) != 0;
}

/* An item row's JSON. */
static char *
item_json (const char *sku,
           const char *name,
           const char *category,
           const char *barcodes,
           gint64      price,
           gboolean    active)
{
  return g_strdup_printf ("{\"sku\":\"%s\",\"name\":\"%s\",\"unit\":\"瓶\",\"category\":%s%s%s,"
                          "\"barcodes\":%s,\"plu\":null,\"brand\":\"农夫\",\"vat_rate\":1300,"
                          "\"weighed\":false,\"active\":%s,\"cost\":100,\"price\":%" G_GINT64_FORMAT
                          ",\"member_price\":0}",
                          sku, name, category ? "\"" : "", category ? category : "null",
                          category ? "\"" : "", barcodes, active ? "true" : "false", price);
}

static void
load_categories (void)
{
  const TillMasterRow rows[] = {
    /* The child first: parents are linked once the whole page is in. */
    { "DRINK-WATER", "all", 2,
      "{\"code\":\"DRINK-WATER\",\"name\":\"饮用水\",\"parent\":\"DRINK\",\"sort_order\":1}" },
    { "DRINK", "all", 1,
      "{\"code\":\"DRINK\",\"name\":\"饮料\",\"parent\":null,\"sort_order\":0}" },
  };

  apply_ok ("categories", rows, G_N_ELEMENTS (rows), 2);
}

/* /core/master-data/items: categories and items become categories, products
 * and barcodes the catalog finds, with pinyin, PLU and the cursor saved. */
START_TEST (test_items)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) by_code = NULL;
  g_autoptr (TillProduct) by_code2 = NULL;
  g_autoptr (TillProduct) by_plu = NULL;
  g_autoptr (GPtrArray) found = NULL;
  g_autofree char *code1 = ean13 ("690123456789");
  g_autofree char *code2 = ean13 ("690123456790");
  g_autofree char *barcodes = g_strdup_printf ("[\"%s\",\"%s\"]", code1, code2);
  g_autofree char *water = item_json ("W550", "农夫山泉550ml", "DRINK-WATER", barcodes, 200, TRUE);
  const char      *apple = "{\"sku\":\"APL\",\"name\":\"红富士苹果\",\"unit\":\"kg\","
                           "\"category\":null,\"barcodes\":[],\"plu\":\"10001\",\"vat_rate\":900,"
                           "\"weighed\":true,\"active\":true,\"price\":598}";
  const TillMasterRow rows[] = {
    { "W550", "all", 3, water },
    { "APL", "all", 4, apple },
  };
  gint64 water_category;

  load_categories ();
  ck_assert_int_eq (till_master_data_get_cursor (store, "categories", &error), 2);
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", &error), 0);
  apply_ok ("items", rows, G_N_ELEMENTS (rows), 4);
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", &error), 4);
  ck_assert (!till_master_data_is_reloading (store, "items"));

  by_code = till_catalog_lookup_barcode (catalog, code1, &error);
  ck_assert_msg (by_code != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_product_get_sku (by_code), "W550");
  ck_assert_str_eq (till_product_get_name (by_code), "农夫山泉550ml");
  ck_assert_str_eq (till_product_get_unit (by_code), "瓶");
  ck_assert_str_eq (till_product_get_brand (by_code), "农夫");
  ck_assert_str_eq (till_product_get_pinyin (by_code), "NFSQ550ML");
  ck_assert_int_eq (till_product_get_price (by_code), 200);
  ck_assert_int_eq (till_product_get_cost (by_code), 100);
  ck_assert (!till_product_get_weighed (by_code));
  water_category = till_product_get_category_id (by_code);
  ck_assert_int_eq (water_category,
                    query_int ("SELECT id FROM category WHERE code = ?", "DRINK-WATER"));
  ck_assert_int_eq (query_int ("SELECT parent_id FROM category WHERE code = ?", "DRINK-WATER"),
                    query_int ("SELECT id FROM category WHERE code = ?", "DRINK"));
  by_code2 = till_catalog_lookup_barcode (catalog, code2, &error);
  ck_assert_ptr_nonnull (by_code2);
  ck_assert_int_eq (till_product_get_id (by_code2), till_product_get_id (by_code));

  by_plu = till_catalog_lookup_plu (catalog, "10001", &error);
  ck_assert_msg (by_plu != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_product_get_sku (by_plu), "APL");
  ck_assert (till_product_get_weighed (by_plu));
  ck_assert_int_eq (till_product_get_vat_rate (by_plu), 900);
  ck_assert_str_eq (till_product_get_unit (by_plu), "kg");

  found = till_catalog_search (catalog, "HFS", 10, &error);
  ck_assert_ptr_nonnull (found);
  ck_assert_uint_eq (found->len, 1);
  ck_assert_str_eq (till_product_get_sku (found->pdata[0]), "APL");
}
END_TEST

/* /core/master-data/versions: an update applies only when its version is
 * newer than the one held; replaying an older page changes nothing. */
START_TEST (test_versions)
{
  g_autofree char    *v5 = item_json ("W550", "农夫山泉 新包装", NULL, "[]", 220, TRUE);
  g_autofree char    *v3 = item_json ("W550", "农夫山泉 旧", NULL, "[]", 200, TRUE);
  const TillMasterRow newer[] = { { "W550", "all", 5, v5 } };
  const TillMasterRow older[] = { { "W550", "all", 3, v3 } };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  apply_ok ("items", newer, 1, 5);
  apply_ok ("items", older, 1, 6);
  ck_assert_int_eq (price_of ("W550"), 220);
  stmt = till_store_prepare (store, "SELECT name FROM product WHERE sku = 'W550'", &error);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  ck_assert_str_eq ((const char *) sqlite3_column_text (stmt, 0), "农夫山泉 新包装");
  ck_assert_int_eq (query_int ("SELECT version FROM master_row WHERE id = ?", "W550"), 5);
  /* The cursor still moves: the page was applied. */
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", &error), 6);
}
END_TEST

/* /core/master-data/tombstone: an item HQ deletes stays in the catalog (sales
 * refer to it) but is no longer sold; an older tombstone deletes nothing. */
START_TEST (test_tombstone)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_autofree char    *code = ean13 ("690000000001");
  g_autofree char    *barcodes = g_strdup_printf ("[\"%s\"]", code);
  g_autofree char    *json = item_json ("OLD", "老酸奶", NULL, barcodes, 500, TRUE);
  const TillMasterRow rows[] = { { "OLD", "all", 7, json } };
  const TillMasterRow stale[] = { { "OLD", "all", 6, NULL } };
  const TillMasterRow tombstone[] = { { "OLD", "all", 9, NULL } };

  apply_ok ("items", rows, 1, 7);
  apply_ok ("items", stale, 1, 8);
  ck_assert (active_of ("OLD"));
  apply_ok ("items", tombstone, 1, 9);
  ck_assert (!active_of ("OLD"));
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_row WHERE id = ?", "OLD"), 0);
  product = till_catalog_lookup_barcode (catalog, code, &error);
  ck_assert_ptr_null (product);
  ck_assert (g_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND));
}
END_TEST

/* /core/master-data/barcode-moves: a barcode HQ gives to another product
 * moves there, whichever of the two comes first. */
START_TEST (test_barcode_moves)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_autofree char    *code = ean13 ("690000000002");
  g_autofree char    *list = g_strdup_printf ("[\"%s\"]", code);
  g_autofree char    *a1 = item_json ("A", "甲", NULL, list, 100, TRUE);
  g_autofree char    *b1 = item_json ("B", "乙", NULL, "[]", 100, TRUE);
  g_autofree char    *b2 = item_json ("B", "乙", NULL, list, 100, TRUE);
  g_autofree char    *a2 = item_json ("A", "甲", NULL, "[]", 100, TRUE);
  const TillMasterRow first[] = { { "A", "all", 1, a1 }, { "B", "all", 2, b1 } };
  const TillMasterRow second[] = { { "B", "all", 3, b2 }, { "A", "all", 4, a2 } };

  apply_ok ("items", first, 2, 2);
  apply_ok ("items", second, 2, 4);
  product = till_catalog_lookup_barcode (catalog, code, &error);
  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_product_get_sku (product), "B");
  ck_assert_int_eq (query_int ("SELECT count (*) FROM barcode WHERE code = ?", code), 1);
}
END_TEST

/* The verifier HQ ships for @pin: scrypt N=16384, r=8, p=1 over a random
 * 16-byte salt, 32 bytes; both base64. */
static void
make_verifier (const char *pin, char **out_salt_b64, char **out_hash_b64)
{
  guint8 salt[16];
  guint8 hash[32];

  ck_assert_int_eq (RAND_bytes (salt, sizeof salt), 1);
  ck_assert_int_eq (EVP_PBE_scrypt (pin, strlen (pin), salt, sizeof salt, 16384, 8, 1,
                                    64 * 1024 * 1024, hash, sizeof hash),
                    1);
  *out_salt_b64 = g_base64_encode (salt, sizeof salt);
  *out_hash_b64 = g_base64_encode (hash, sizeof hash);
}

static char *
user_json (const char *code, const char *role, const char *kdf, const char *pin, gboolean active)
{
  g_autofree char *salt = NULL;
  g_autofree char *hash = NULL;

  make_verifier (pin, &salt, &hash);
  return g_strdup_printf ("{\"code\":\"%s\",\"name\":\"张三\",\"role\":\"%s\",\"active\":%s,"
                          "\"kdf\":\"%s\",\"pin_salt\":\"%s\",\"pin_hash\":\"%s\","
                          "\"max_line_discount_bp\":500,\"max_price_override\":null,"
                          "\"max_refund\":-1}",
                          code, role, active ? "true" : "false", kdf, salt, hash);
}

/* /core/master-data/users: a user HQ sends signs in with the PIN HQ hashed,
 * with role and limits; a new PIN from HQ replaces the old; a tombstone
 * deactivates. */
START_TEST (test_users)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (TillUser) wrong = NULL;
  g_autoptr (TillUser) again = NULL;
  g_autoptr (TillUserInfo) info = NULL;
  g_autofree char    *json = user_json ("0007", "supervisor", "scrypt:16384:8:1", "2468", TRUE);
  g_autofree char    *json2 = user_json ("0007", "supervisor", "scrypt:16384:8:1", "1357", TRUE);
  const TillMasterRow rows[] = { { "0007", "all", 1, json } };
  const TillMasterRow rows2[] = { { "0007", "all", 2, json2 } };
  const TillMasterRow gone[] = { { "0007", "all", 3, NULL } };

  apply_ok ("users", rows, 1, 1);
  user = till_user_authenticate (store, "0007", "2468", &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_user_get_name (user), "张三");
  ck_assert_int_eq (till_user_get_role (user), TILL_ROLE_SUPERVISOR);
  wrong = till_user_authenticate (store, "0007", "1111", &error);
  ck_assert_ptr_null (wrong);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_BAD_PIN));
  g_clear_error (&error);

  info = till_user_get_info (store, "0007", &error);
  ck_assert_ptr_nonnull (info);
  ck_assert (info->own_limits);
  ck_assert_int_eq (info->max_line_discount_bp, 500);
  ck_assert_int_eq (info->max_refund, -1);
  /* The wrong PIN counted, and a pull keeps the till's count. */
  ck_assert_int_eq (info->failed_attempts, 1);

  apply_ok ("users", rows2, 1, 2);
  ck_assert_int_eq (query_int ("SELECT failed_attempts FROM user WHERE code = ?", "0007"), 1);
  again = till_user_authenticate (store, "0007", "1357", &error);
  ck_assert_msg (again != NULL, "%s", error ? error->message : "");

  apply_ok ("users", gone, 1, 3);
  ck_assert_int_eq (query_int ("SELECT active FROM user WHERE code = ?", "0007"), 0);
}
END_TEST

/* /core/master-data/bad-kdf: a user hashed with anything but the till's KDF
 * fails the whole page: the good rows before it and the cursor stay as they
 * were. */
START_TEST (test_bad_kdf)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *good = user_json ("0001", "cashier", "scrypt:16384:8:1", "1234", TRUE);
  g_autofree char    *bad = user_json ("0002", "cashier", "pbkdf2-sha256:100000", "1234", TRUE);
  g_autofree char    *role = user_json ("0003", "owner", "scrypt:16384:8:1", "1234", TRUE);
  const TillMasterRow rows[] = { { "0001", "all", 1, good }, { "0002", "all", 2, bad } };
  const TillMasterRow role_rows[] = { { "0003", "all", 3, role } };

  ck_assert (!apply ("users", rows, 2, 2, &error));
  ck_assert (g_error_matches (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_ROW));
  ck_assert_msg (strstr (error->message, "0002") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!apply ("users", role_rows, 1, 3, &error));
  ck_assert (g_error_matches (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_ROW));

  ck_assert_int_eq (query_int ("SELECT count (*) FROM user", NULL), 0);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_row", NULL), 0);
  ck_assert_int_eq (till_master_data_get_cursor (store, "users", NULL), 0);
}
END_TEST

/* /core/master-data/interrupted: a page that fails part-way (an item without
 * a name after good ones) leaves the products and the cursor of the pages
 * before it, nothing of its own. */
START_TEST (test_interrupted)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *one = item_json ("ONE", "一号", NULL, "[]", 100, TRUE);
  g_autofree char    *two = item_json ("TWO", "二号", NULL, "[]", 200, TRUE);
  g_autofree char    *one_new = item_json ("ONE", "一号新", NULL, "[]", 150, TRUE);
  const TillMasterRow page1[] = { { "ONE", "all", 1, one } };
  const TillMasterRow page2[] = {
    { "ONE", "all", 2, one_new },
    { "TWO", "all", 3, two },
    { "BAD", "all", 4, "{\"sku\":\"BAD\",\"unit\":\"个\",\"price\":1}" },
  };

  apply_ok ("items", page1, 1, 1);
  ck_assert (!till_master_data_apply_page (store, "items", page2, G_N_ELEMENTS (page2), 4, TRUE, -1,
                                           NOW_US, NULL, &error));
  ck_assert (g_error_matches (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_ROW));
  ck_assert_msg (strstr (error->message, "BAD") != NULL, "%s", error->message);
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", NULL), 1);
  ck_assert_int_eq (price_of ("ONE"), 100);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM product WHERE sku = ?", "TWO"), 0);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_row", NULL), 1);
  ck_assert (!till_store_in_transaction (store));
}
END_TEST

/* /core/master-data/unknown-channel */
START_TEST (test_unknown_channel)
{
  g_autoptr (GError) error = NULL;

  ck_assert (!apply ("recipes", NULL, 0, 1, &error));
  ck_assert (g_error_matches (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_CHANNEL));
}
END_TEST

static char *
setting_value (const char *key)
{
  return till_store_get_setting (store, key);
}

/* /core/master-data/settings: the most specific scope wins; when its row goes
 * the next applies; when none is left the setting goes, but a setting HQ
 * never sent is never touched. */
START_TEST (test_settings)
{
  g_autofree char    *value = NULL;
  const TillMasterRow rows[] = {
    { "store.name", "all", 1, "{\"key\":\"store.name\",\"value\":\"便利店\"}" },
    { "store.name", "store:S001", 2, "{\"key\":\"store.name\",\"value\":\"一号店\"}" },
    { "store.name", "group:EAST", 3, "{\"key\":\"store.name\",\"value\":\"华东店\"}" },
    { "rounding", "all", 4, "{\"key\":\"rounding\",\"value\":\"jiao\"}" },
    { "sync.limit.queue", "all", 5, "{\"key\":\"sync.limit.queue\",\"value\":5000}" },
  };
  const TillMasterRow drop_store[] = { { "store.name", "store:S001", 6, NULL } };
  const TillMasterRow drop_rest[] = {
    { "store.name", "group:EAST", 7, NULL },
    { "store.name", "all", 8, NULL },
    { "receipt.footer", "all", 9, NULL },
  };

  ck_assert (till_store_set_setting (store, "receipt.footer", "谢谢惠顾", NULL));
  apply_ok ("settings", rows, G_N_ELEMENTS (rows), 5);
  value = setting_value ("store.name");
  ck_assert_str_eq (value, "一号店");
  g_free (value);
  value = setting_value ("rounding");
  ck_assert_str_eq (value, "jiao");
  g_free (value);
  /* HQ sets the offline limits (SYNC.md §5 6.7); a number reads as text. */
  value = setting_value ("sync.limit.queue");
  ck_assert_str_eq (value, "5000");
  g_free (value);

  apply_ok ("settings", drop_store, 1, 6);
  value = setting_value ("store.name");
  ck_assert_str_eq (value, "华东店");
  g_free (value);

  apply_ok ("settings", drop_rest, G_N_ELEMENTS (drop_rest), 9);
  value = setting_value ("store.name");
  ck_assert_ptr_null (value);
  value = setting_value ("receipt.footer");
  ck_assert_str_eq (value, "谢谢惠顾");
}
END_TEST

/* /core/master-data/own-setting: settings the till keeps for itself fail the
 * page, with nothing of it applied. */
START_TEST (test_own_setting)
{
  const char *const own[] = { "till.id", "sync.url", "sync.epoch", "badge_salt" };

  ck_assert (till_store_set_setting (store, "till.id", "S001-01", NULL));
  for (guint i = 0; i < G_N_ELEMENTS (own); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char    *json = g_strdup_printf ("{\"key\":\"%s\",\"value\":\"x\"}", own[i]);
      g_autofree char    *value = NULL;
      const TillMasterRow rows[] = {
        { "store.name", "all", 1, "{\"key\":\"store.name\",\"value\":\"便利店\"}" },
        { own[i], "all", 2, json },
      };

      ck_assert (!apply ("settings", rows, 2, 2, &error));
      ck_assert_msg (g_error_matches (error, TILL_MASTER_DATA_ERROR, TILL_MASTER_DATA_ERROR_ROW),
                     "%s", own[i]);
      value = setting_value ("store.name");
      ck_assert_ptr_null (value);
    }
  {
    g_autofree char *till_id = setting_value ("till.id");

    ck_assert_str_eq (till_id, "S001-01");
  }
  ck_assert_int_eq (till_master_data_get_cursor (store, "settings", NULL), 0);
}
END_TEST

static void
load_priced_items (void)
{
  g_autofree char    *a = item_json ("A", "甲", NULL, "[]", 1000, TRUE);
  g_autofree char    *b = item_json ("B", "乙", NULL, "[]", 2000, TRUE);
  g_autofree char    *c = item_json ("C", "丙", NULL, "[]", 3000, TRUE);
  const TillMasterRow rows[] = {
    { "A", "all", 1, a },
    { "B", "all", 2, b },
    { "C", "all", 3, c },
  };

  apply_ok ("items", rows, G_N_ELEMENTS (rows), 3);
}

/* /core/master-data/price-scope: for each SKU the store's row beats the
 * group's, which beats the chain's; with no row the list price holds. */
START_TEST (test_price_scope)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a_all = NULL;
  g_autofree char *a_group = NULL;
  g_autofree char *a_store = NULL;
  g_autofree char *b_all = NULL;
  g_autofree char *b_group = NULL;
  gint64           from = NOW_US - 24 * HOUR;
  gint64           next = 0;

  a_all = g_strdup_printf ("{\"sku\":\"A\",\"price\":900,\"member_price\":850,"
                           "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                           from);
  a_group = g_strdup_printf ("{\"sku\":\"A\",\"price\":800,\"member_price\":750,"
                             "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                             from);
  /* The store's row is older than the others and still wins. */
  a_store = g_strdup_printf ("{\"sku\":\"A\",\"price\":700,\"member_price\":650,"
                             "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                             from - HOUR);
  b_all = g_strdup_printf ("{\"sku\":\"B\",\"price\":1900,\"member_price\":0,"
                           "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                           from);
  b_group = g_strdup_printf ("{\"sku\":\"B\",\"price\":1800,\"member_price\":0,"
                             "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                             from);
  {
    g_autofree char    *a_id = g_strdup_printf ("A@%" G_GINT64_FORMAT, from);
    g_autofree char    *a_store_id = g_strdup_printf ("A@%" G_GINT64_FORMAT, from - HOUR);
    g_autofree char    *b_id = g_strdup_printf ("B@%" G_GINT64_FORMAT, from);
    const TillMasterRow rows[] = {
      { a_id, "all", 10, a_all },
      { a_id, "group:EAST", 11, a_group },
      { a_store_id, "store:S001", 12, a_store },
      { b_id, "all", 13, b_all },
      { b_id, "group:EAST", 14, b_group },
    };

    load_priced_items ();
    apply_ok ("prices", rows, G_N_ELEMENTS (rows), 14);
  }
  ck_assert_int_eq (price_of ("A"), 700);
  ck_assert_int_eq (member_price_of ("A"), 650);
  ck_assert_int_eq (price_of ("B"), 1800);
  ck_assert_int_eq (price_of ("C"), 3000);

  /* Already applied: nothing changes, and nothing is scheduled. */
  ck_assert_int_eq (till_master_data_apply_prices (store, NOW_US, &next, &error), 0);
  ck_assert_int_eq (next, G_MAXINT64);
}
END_TEST

/* /core/master-data/price-future: a price shipped ahead takes effect exactly
 * at its instant, and apply_prices names that instant as the next change. */
START_TEST (test_price_future)
{
  g_autoptr (GError) error = NULL;
  gint64              switch_us = NOW_US + 5 * HOUR;
  g_autofree char    *id = g_strdup_printf ("A@%" G_GINT64_FORMAT, switch_us);
  g_autofree char    *json = g_strdup_printf ("{\"sku\":\"A\",\"price\":555,\"member_price\":0,"
                                                 "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                                              switch_us);
  const TillMasterRow rows[] = { { id, "all", 20, json } };
  gint64              next = 0;

  load_priced_items ();
  apply_ok ("prices", rows, 1, 20);
  ck_assert_int_eq (price_of ("A"), 1000);

  ck_assert_int_eq (till_master_data_apply_prices (store, switch_us - 1, &next, &error), 0);
  ck_assert_int_eq (next, switch_us);
  ck_assert_int_eq (price_of ("A"), 1000);

  ck_assert_int_eq (till_master_data_apply_prices (store, switch_us, &next, &error), 1);
  ck_assert_int_eq (price_of ("A"), 555);
  ck_assert_int_eq (next, G_MAXINT64);

  /* A tombstone for the row brings the list price back. */
  {
    const TillMasterRow gone[] = { { id, "all", 21, NULL } };

    ck_assert (till_master_data_apply_page (store, "prices", gone, 1, 21, FALSE, -1, switch_us,
                                            NULL, &error));
    ck_assert_int_eq (price_of ("A"), 1000);
  }
}
END_TEST

/* /core/master-data/reload: a reload fills the shadow copy page by page while
 * the old rows stay in force, then swaps: what HQ no longer sends becomes
 * inactive, what it sends is current. */
START_TEST (test_reload)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *a2 = item_json ("A", "甲二", NULL, "[]", 1100, TRUE);
  g_autofree char    *d = item_json ("D", "丁", NULL, "[]", 4000, TRUE);
  const TillMasterRow page1[] = { { "A", "all", 30, a2 } };
  const TillMasterRow page2[] = { { "D", "all", 31, d } };
  gboolean            drift = TRUE;

  load_priced_items ();
  ck_assert (till_master_data_begin_reload (store, "items", &error));
  ck_assert (till_master_data_is_reloading (store, "items"));
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", &error), 0);

  ck_assert (
      till_master_data_apply_page (store, "items", page1, 1, 30, TRUE, -1, NOW_US, &drift, &error));
  ck_assert (!drift);
  ck_assert (till_master_data_is_reloading (store, "items"));
  /* Nothing changes until the swap. */
  ck_assert_int_eq (price_of ("A"), 1000);
  ck_assert (active_of ("B"));
  ck_assert_int_eq (query_int ("SELECT count (*) FROM product WHERE sku = ?", "D"), 0);

  ck_assert_msg (
      till_master_data_apply_page (store, "items", page2, 1, 31, FALSE, 2, NOW_US, &drift, &error),
      "%s", error ? error->message : "");
  ck_assert (!drift);
  ck_assert (!till_master_data_is_reloading (store, "items"));
  ck_assert_int_eq (till_master_data_get_cursor (store, "items", &error), 31);
  ck_assert_int_eq (price_of ("A"), 1100);
  ck_assert (active_of ("A"));
  ck_assert (!active_of ("B"));
  ck_assert (!active_of ("C"));
  ck_assert (active_of ("D"));
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_row WHERE channel = ?", "items"), 2);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_shadow", NULL), 0);
}
END_TEST

/* /core/master-data/drift: on the last page the rows held are counted
 * against HQ's total. */
START_TEST (test_drift)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *e = item_json ("E", "戊", NULL, "[]", 100, TRUE);
  const TillMasterRow rows[] = { { "E", "all", 40, e } };
  gboolean            drift = FALSE;

  load_priced_items ();
  ck_assert (
      till_master_data_apply_page (store, "items", rows, 1, 40, FALSE, 4, NOW_US, &drift, &error));
  ck_assert (!drift);
  ck_assert (
      till_master_data_apply_page (store, "items", NULL, 0, 40, FALSE, 5, NOW_US, &drift, &error));
  ck_assert (drift);
  /* Not the last page: no check. */
  ck_assert (
      till_master_data_apply_page (store, "items", NULL, 0, 40, TRUE, 5, NOW_US, &drift, &error));
  ck_assert (!drift);
}
END_TEST

static void
apply_store_group (const char *group_id, gint64 version)
{
  g_autofree char *json = g_strdup_printf ("{\"key\":\"store.group\",\"value\":\"%s\"}", group_id);
  const TillMasterRow rows[] = { { "store.group", "store:S001", version, json } };

  apply_ok ("settings", rows, 1, version);
}

static gint64
count_scope (const char *table, const char *scope)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM %s WHERE scope = ?", table);

  return query_int (sql, scope);
}

/* /core/master-data/store-group-move: when HQ's store.group names another
 * group, the rows of the old group go (HQ sends no tombstones for a scope
 * the till left), from master_row and from a reload under way, and what
 * they set falls back to the chain's rows: price, item, user, setting; the
 * promotions the till reads are gone. The drift check then finds the rows
 * of the new group the cursors passed. "" (no group) leaves every group. */
START_TEST (test_store_group_move)
{
  g_autoptr (GError) error = NULL;
  g_autofree char    *group_item = item_json ("G", "华东特供", NULL, "[]", 500, TRUE);
  g_autofree char    *user = user_json ("2001", "cashier", "scrypt:16384:8:1", "2468", TRUE);
  g_autofree char    *a_id = g_strdup_printf ("A@%" G_GINT64_FORMAT, NOW_US - HOUR);
  g_autofree char    *a_all = g_strdup_printf ("{\"sku\":\"A\",\"price\":900,\"member_price\":0,"
                                                  "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                                               NOW_US - HOUR);
  g_autofree char    *a_east = g_strdup_printf ("{\"sku\":\"A\",\"price\":800,\"member_price\":0,"
                                                   "\"effective_from_us\":%" G_GINT64_FORMAT "}",
                                                NOW_US - HOUR);
  g_autofree char    *value = NULL;
  const TillMasterRow items[] = { { "G", "group:EAST", 10, group_item } };
  const TillMasterRow prices[] = { { a_id, "all", 11, a_all }, { a_id, "group:EAST", 12, a_east } };
  const TillMasterRow users[] = { { "2001", "group:EAST", 13, user } };
  const TillMasterRow settings[] = {
    { "store.name", "all", 14, "{\"key\":\"store.name\",\"value\":\"便利店\"}" },
    { "store.name", "group:EAST", 15, "{\"key\":\"store.name\",\"value\":\"华东店\"}" },
  };
  const TillMasterRow promotions[] = {
    { "P-ALL", "all", 16, "{\"code\":\"P-ALL\"}" },
    { "P-EAST", "group:EAST", 17, "{\"code\":\"P-EAST\"}" },
  };
  const TillMasterRow reload_page[] = { { "P-EAST2", "group:EAST", 18, "{\"code\":\"P-EAST2\"}" } };
  const TillMasterRow west_promotion[] = { { "P-WEST", "group:WEST", 31,
                                             "{\"code\":\"P-WEST\"}" } };
  gboolean            drift = FALSE;

  load_priced_items ();
  apply_ok ("items", items, G_N_ELEMENTS (items), 10);
  apply_ok ("prices", prices, G_N_ELEMENTS (prices), 12);
  apply_ok ("users", users, G_N_ELEMENTS (users), 13);
  apply_ok ("settings", settings, G_N_ELEMENTS (settings), 15);
  apply_ok ("promotions", promotions, G_N_ELEMENTS (promotions), 17);

  /* HQ names the group the till already has: nothing goes. */
  apply_store_group ("EAST", 20);
  value = setting_value ("store.group");
  ck_assert_str_eq (value, "EAST");
  g_clear_pointer (&value, g_free);
  ck_assert_int_eq (price_of ("A"), 800);
  ck_assert (active_of ("G"));
  ck_assert_int_eq (query_int ("SELECT active FROM user WHERE code = ?", "2001"), 1);
  value = setting_value ("store.name");
  ck_assert_str_eq (value, "华东店");
  g_clear_pointer (&value, g_free);
  ck_assert_int_eq (count_scope ("master_row", "group:EAST"), 5);

  /* A reload of promotions is under way, with a page of EAST in the
   * shadow copy. */
  ck_assert (till_master_data_begin_reload (store, "promotions", &error));
  ck_assert (till_master_data_apply_page (store, "promotions", reload_page, 1, 18, TRUE, -1, NOW_US,
                                          NULL, &error));
  ck_assert_int_eq (count_scope ("master_shadow", "group:EAST"), 1);

  /* The store moves to WEST. */
  apply_store_group ("WEST", 30);
  value = setting_value ("store.group");
  ck_assert_str_eq (value, "WEST");
  g_clear_pointer (&value, g_free);
  ck_assert_int_eq (count_scope ("master_row", "group:EAST"), 0);
  ck_assert_int_eq (count_scope ("master_shadow", "group:EAST"), 0);
  ck_assert_int_eq (price_of ("A"), 900);
  ck_assert (!active_of ("G"));
  ck_assert_int_eq (query_int ("SELECT active FROM user WHERE code = ?", "2001"), 0);
  value = setting_value ("store.name");
  ck_assert_str_eq (value, "便利店");
  g_clear_pointer (&value, g_free);
  /* The chain's rows stay: items A, B, C, a price, a setting, a promotion. */
  ck_assert_int_eq (count_scope ("master_row", "all"), 3 + 1 + 1 + 1);

  /* The reload ends with the chain's promotion: the EAST page it had
   * before the move does not come back with the swap. */
  {
    const TillMasterRow last_page[] = { { "P-ALL", "all", 16, "{\"code\":\"P-ALL\"}" } };

    ck_assert (till_master_data_apply_page (store, "promotions", last_page, 1, 30, FALSE, 1, NOW_US,
                                            &drift, &error));
    ck_assert (!drift);
    ck_assert_int_eq (count_scope ("master_row", "group:EAST"), 0);
    ck_assert_int_eq (
        query_int ("SELECT count (*) FROM master_row WHERE channel = ?", "promotions"), 1);
  }

  /* HQ counts the chain's price and a WEST price older than the cursor:
   * the till, holding one, finds the drift and reloads to get it. */
  ck_assert (
      till_master_data_apply_page (store, "prices", NULL, 0, 30, FALSE, 2, NOW_US, &drift, &error));
  ck_assert (drift);

  /* No group at all: WEST's rows go too. */
  apply_ok ("promotions", west_promotion, 1, 31);
  ck_assert_int_eq (count_scope ("master_row", "group:WEST"), 1);
  apply_store_group ("", 32);
  ck_assert_int_eq (count_scope ("master_row", "group:WEST"), 0);
  ck_assert_int_eq (query_int ("SELECT count (*) FROM master_row WHERE channel = ?", "promotions"),
                    1);
}
END_TEST

/* /core/master-data/store-group-unsaid: while HQ has not named the group
 * (an HQ from before store.group), the till drops nothing. */
START_TEST (test_store_group_unsaid)
{
  const TillMasterRow promotions[] = { { "P-EAST", "group:EAST", 1, "{\"code\":\"P-EAST\"}" } };
  const TillMasterRow settings[] = {
    { "store.name", "all", 2, "{\"key\":\"store.name\",\"value\":\"便利店\"}" },
  };

  apply_ok ("promotions", promotions, 1, 1);
  apply_ok ("settings", settings, 1, 2);
  ck_assert_int_eq (count_scope ("master_row", "group:EAST"), 1);
}
END_TEST

/* /core/master-data/promotions: kept as HQ sent them, for issue 8. */
START_TEST (test_promotions)
{
  const TillMasterRow rows[] = {
    { "P1", "group:EAST", 1, "{\"code\":\"P1\",\"kind\":\"buy-n-get-1\",\"n\":2}" },
  };

  apply_ok ("promotions", rows, 1, 1);
  ck_assert_int_eq (query_int ("SELECT json_extract (data, '$.n') FROM master_row "
                               "WHERE channel = 'promotions' AND id = ?",
                               "P1"),
                    2);
}
END_TEST

static Suite *
master_data_suite (void)
{
  Suite *suite = suite_create ("core/master-data");
  TCase *tc;

  tc = tcase_create ("catalog");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_items);
  tcase_add_test (tc, test_versions);
  tcase_add_test (tc, test_tombstone);
  tcase_add_test (tc, test_barcode_moves);
  tcase_add_test (tc, test_interrupted);
  tcase_add_test (tc, test_unknown_channel);
  tcase_add_test (tc, test_promotions);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("users");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_users);
  tcase_add_test (tc, test_bad_kdf);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("settings");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_settings);
  tcase_add_test (tc, test_own_setting);
  tcase_add_test (tc, test_store_group_move);
  tcase_add_test (tc, test_store_group_unsaid);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("prices");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_price_scope);
  tcase_add_test (tc, test_price_future);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("reload");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_reload);
  tcase_add_test (tc, test_drift);
  suite_add_tcase (suite, tc);

  return suite;
}

int
main (void)
{
  return till_test_run_suite (master_data_suite ());
}
