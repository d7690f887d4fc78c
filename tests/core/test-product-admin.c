/* test-product-admin.c: tests for src/core/till-product-admin.c: creating,
 * editing and deactivating products, categories, and import and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

static char        *scratch;
static TillStore   *store;
static TillJournal *journal;
static TillUser    *cashier;
static TillUser    *manager;

static const TillOverride manager_override = {
  .supervisor_code = TILL_DEMO_MANAGER_CODE,
  .supervisor_secret = TILL_DEMO_MANAGER_PIN,
  .reason = "manager-approved",
};

/* --- Helpers --------------------------------------------------------------- */

#define ck_assert_error_matches(error, domain, code)                                            \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected %s %d, got: %s", #code, \
                 (int) (code), (error) != NULL ? (error)->message : "no error")

static TillUser *
add_user (const char *code, const char *name, TillRole role, const char *pin)
{
  g_autoptr (GError) error = NULL;
  TillUser *user;

  ck_assert (till_user_create (store, code, name, role, pin, &error) > 0);
  user = till_user_authenticate (store, code, pin, &error);
  ck_assert_msg (user != NULL, "%s", error ? error->message : "");
  return user;
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  key_path = g_build_filename (scratch, "till.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, key_path, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cashier = add_user ("1001", "张三", TILL_ROLE_CASHIER, "1234");
  manager = add_user (TILL_DEMO_MANAGER_CODE, "李经理", TILL_ROLE_MANAGER, TILL_DEMO_MANAGER_PIN);
}

static void
teardown (void)
{
  g_clear_object (&cashier);
  g_clear_object (&manager);
  g_clear_object (&journal);
  g_clear_object (&store);
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static gint64
query_int (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
query_text (const char *sql, const char *text_arg)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) == SQLITE_OK,
                 "%s: %s", sql, sqlite3_errmsg (till_store_get_db (store)));
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* Every row of the catalog's tables, as text: equal before and after means
 * nothing was written. */
static char *
catalog_checksum (void)
{
  static const char *const queries[] = {
    "SELECT * FROM product ORDER BY id",  "SELECT * FROM barcode ORDER BY code",
    "SELECT * FROM category ORDER BY id", "SELECT * FROM stock_limit ORDER BY product_id",
    "SELECT count(*) FROM journal",
  };
  g_autoptr (GString) dump = g_string_new (NULL);

  for (gsize q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      g_autoptr (sqlite3_stmt) stmt = NULL;

      ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), queries[q], -1, &stmt, NULL),
                        SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const char *text = (const char *) sqlite3_column_text (stmt, c);

              g_string_append_printf (dump, "%s|", text != NULL ? text : "<null>");
            }
          g_string_append_c (dump, '\n');
        }
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump->str, -1);
}

static TillProductSpec
water_spec (void)
{
  TillProductSpec spec = {
    .sku = "W001",
    .name = "农夫山泉 550ml",
    .unit = "瓶",
    .price = 200,
    .member_price = 180,
    .cost = 110,
    .vat_rate = 1300,
    .active = TRUE,
  };

  return spec;
}

static gint64
create_water (void)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = water_spec ();
  const char     *barcodes[] = { "6921168509256", NULL };
  gint64          id;

  id = till_product_admin_create (store, journal, manager, &spec, barcodes, NULL, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

/* A table of text rows from string literals; each row ends with NULL and
 * the table with a NULL row. */
static GPtrArray *
make_rows (const char *const *const *rows)
{
  GPtrArray *table = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint r = 0; rows[r] != NULL; r++)
    g_ptr_array_add (table, g_strdupv ((char **) rows[r]));
  return table;
}

static const TillImportProblem *
find_problem (const TillImportResult *result, guint row, const char *column)
{
  for (guint i = 0; i < result->problems->len; i++)
    {
      const TillImportProblem *problem = g_ptr_array_index (result->problems, i);

      if (problem->row == row && g_strcmp0 (problem->column, column) == 0)
        return problem;
    }
  return NULL;
}

/* --- Tests ----------------------------------------------------------------- */

/* /product-admin/create-update-deactivate */
START_TEST (test_create_update_deactivate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (TillProduct) found = NULL;
  g_autoptr (GPtrArray) listed = NULL;
  g_auto (GStrv) barcodes = NULL;
  g_autofree char *body = NULL;
  g_autofree char *pinyin = NULL;
  TillProductSpec  spec = water_spec ();
  const char      *new_barcodes[] = { "6921168509256", "12345670", NULL };
  gint64           id = create_water ();

  found = till_catalog_lookup_barcode (catalog, "6921168509256", &error);
  ck_assert_msg (found != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_product_get_id (found), id);
  ck_assert_int_eq (till_product_get_member_price (found), 180);
  ck_assert_str_eq (till_product_get_pinyin (found), "NFSQ550ML");
  ck_assert_int_gt (query_int ("SELECT updated_us FROM product WHERE sku = ?", "W001"), 0);
  body = query_text ("SELECT CAST(body AS TEXT) FROM journal WHERE kind = 'product'"
                     " ORDER BY seq DESC LIMIT 1",
                     NULL);
  ck_assert_msg (strstr (body, "\"action\":\"create\"") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"user_code\":\"9001\"") != NULL, "%s", body);
  g_clear_pointer (&body, g_free);

  /* A new price, a new name and another barcode. */
  spec.price = 250;
  spec.name = "怡宝 550ml";
  ck_assert_msg (
      till_product_admin_update (store, journal, manager, id, &spec, new_barcodes, NULL, &error),
      "%s", error ? error->message : "");
  ck_assert_int_eq (query_int ("SELECT price FROM product WHERE id = 1", NULL), 250);
  pinyin = query_text ("SELECT pinyin FROM product WHERE sku = ?", "W001");
  ck_assert_str_eq (pinyin, "YB550ML");
  barcodes = till_product_admin_get_barcodes (store, id, &error);
  ck_assert_int_eq (g_strv_length (barcodes), 2);
  ck_assert (g_strv_contains ((const char *const *) barcodes, "12345670"));
  body = query_text ("SELECT CAST(body AS TEXT) FROM journal WHERE kind = 'product'"
                     " ORDER BY seq DESC LIMIT 1",
                     NULL);
  ck_assert_msg (strstr (body, "\"price\":{\"old\":200,\"new\":250}") != NULL, "%s", body);
  ck_assert_msg (strstr (body, "\"cost\"") == NULL, "unchanged fields are not named: %s", body);
  ck_assert_msg (strstr (body, "\"barcodes\":{\"old\":[\"6921168509256\"]") != NULL, "%s", body);

  /* The same spec again changes nothing and writes no entry. */
  {
    gint64 entries = query_int ("SELECT count(*) FROM journal", NULL);

    ck_assert (till_product_admin_update (store, journal, manager, id, &spec, NULL, NULL, &error));
    ck_assert_int_eq (query_int ("SELECT count(*) FROM journal", NULL), entries);
  }

  ck_assert (till_product_admin_set_active (store, journal, manager, id, FALSE, NULL, &error));
  ck_assert_int_eq (query_int ("SELECT active FROM product WHERE id = 1", NULL), 0);
  g_clear_object (&found);
  found = till_catalog_lookup_barcode (catalog, "6921168509256", &error);
  ck_assert_ptr_null (found);
  ck_assert_error_matches (error, TILL_CATALOG_ERROR, TILL_CATALOG_ERROR_NOT_FOUND);
  g_clear_error (&error);

  listed = till_product_admin_list (store, NULL, FALSE, 0, &error);
  ck_assert_uint_eq (listed->len, 0);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = till_product_admin_list (store, "yb", TRUE, 0, &error);
  ck_assert_uint_eq (listed->len, 1);
  g_clear_pointer (&listed, g_ptr_array_unref);
  listed = till_product_admin_list (store, "12345670", TRUE, 0, &error);
  ck_assert_uint_eq (listed->len, 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'product'"
                               " AND CAST(body AS TEXT) LIKE '%\"deactivate\"%'",
                               NULL),
                    1);

  /* Updating a product that is not there. */
  ck_assert (!till_product_admin_update (store, journal, manager, 999, &spec, NULL, NULL, &error));
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND);
}
END_TEST

/* /product-admin/duplicates: a SKU, PLU or barcode another product has is
 * refused, naming that product. */
START_TEST (test_duplicates)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  TillProductSpec  spec = water_spec ();
  const char      *taken_barcode[] = { "6921168509256", NULL };
  const char      *upc_twin[] = { "012345678905", NULL };
  const char      *ean_of_twin[] = { "0012345678905", NULL };
  gint64           id;

  create_water ();
  before = catalog_checksum ();

  ck_assert_int_eq (till_product_admin_create (store, journal, manager, &spec, NULL, NULL, &error),
                    0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE);
  ck_assert_msg (strstr (error->message, "农夫山泉") != NULL, "%s", error->message);
  g_clear_error (&error);

  spec.sku = "W002";
  ck_assert_int_eq (
      till_product_admin_create (store, journal, manager, &spec, taken_barcode, NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE);
  ck_assert_msg (strstr (error->message, "W001") != NULL, "%s", error->message);
  g_clear_error (&error);
  after = catalog_checksum ();
  ck_assert_str_eq (before, after);

  /* A UPC-A and the EAN-13 with its leading 0 are the same code to a scanner. */
  id = till_product_admin_create (store, journal, manager, &spec, upc_twin, NULL, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  spec.sku = "W003";
  ck_assert_int_eq (
      till_product_admin_create (store, journal, manager, &spec, ean_of_twin, NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* PLUs. */
  spec.plu = "101";
  ck_assert (till_product_admin_create (store, journal, manager, &spec, NULL, NULL, &error) > 0);
  spec.sku = "W004";
  ck_assert_int_eq (till_product_admin_create (store, journal, manager, &spec, NULL, NULL, &error),
                    0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE);
  ck_assert_msg (strstr (error->message, "W003") != NULL, "%s", error->message);
}
END_TEST

/* /product-admin/invalid: each field out of range is refused by name. */
START_TEST (test_invalid)
{
  TillProductSpec  spec;
  const char      *bad_check[] = { "6921168509257", NULL };
  const char      *short_code[] = { "123", NULL };
  const char      *twice[] = { "12345670", "12345670", NULL };
  g_autofree char *long_sku = g_strnfill (65, 'A');
  g_autofree char *before = catalog_checksum ();
  g_autofree char *after = NULL;

#define EXPECT_INVALID(mutation, barcodes)                                                        \
  do                                                                                              \
    {                                                                                             \
      g_autoptr (GError) error = NULL;                                                            \
      spec = water_spec ();                                                                       \
      mutation;                                                                                   \
      ck_assert_int_eq (                                                                          \
          till_product_admin_create (store, journal, manager, &spec, barcodes, NULL, &error), 0); \
      ck_assert_msg (error != NULL && error->domain == TILL_PRODUCT_ADMIN_ERROR, "%s: %s",        \
                     #mutation, error ? error->message : "no error");                             \
    }                                                                                             \
  while (0)

  EXPECT_INVALID (spec.sku = "", NULL);
  EXPECT_INVALID (spec.sku = long_sku, NULL);
  EXPECT_INVALID (spec.name = "", NULL);
  EXPECT_INVALID (spec.price = -1, NULL);
  EXPECT_INVALID (spec.price = 1000000000, NULL);
  EXPECT_INVALID (spec.member_price = 1000000000, NULL);
  EXPECT_INVALID (spec.cost = -5, NULL);
  EXPECT_INVALID (spec.vat_rate = 10001, NULL);
  EXPECT_INVALID (spec.plu = "12 3", NULL);
  EXPECT_INVALID (spec.category_id = 42, NULL);
  EXPECT_INVALID ((void) 0, bad_check);
  EXPECT_INVALID ((void) 0, short_code);
  EXPECT_INVALID ((void) 0, twice);
#undef EXPECT_INVALID

  after = catalog_checksum ();
  ck_assert_str_eq (before, after);

  /* The largest price allowed, and an in-store code. */
  {
    g_autoptr (GError) error = NULL;
    const char *store_code[] = { "ABC-1234", NULL };

    spec = water_spec ();
    spec.price = 999999999;
    ck_assert_msg (
        till_product_admin_create (store, journal, manager, &spec, store_code, NULL, &error) > 0,
        "%s", error ? error->message : "");
  }
}
END_TEST

/* /product-admin/permission: a cashier may not, a manager's override may. */
START_TEST (test_permission)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = catalog_checksum ();
  g_autofree char *after = NULL;
  TillProductSpec  spec = water_spec ();
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillImportResult) result = NULL;
  static const char *const        header[] = { "sku", "name", "price", NULL };
  static const char *const        row[] = { "X1", "x", "1", NULL };
  static const char *const *const table[] = { header, row, NULL };
  gint64                          id;

  ck_assert_int_eq (till_product_admin_create (store, journal, cashier, &spec, NULL, NULL, &error),
                    0);
  ck_assert_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  ck_assert_int_eq (
      till_product_admin_add_category (store, journal, cashier, 0, "饮料", NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  rows = make_rows (table);
  result = till_product_admin_import (store, journal, cashier, rows, FALSE, NULL, NULL, &error);
  ck_assert_ptr_null (result);
  ck_assert_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  g_clear_error (&error);
  after = catalog_checksum ();
  ck_assert_str_eq (before, after);

  id = till_product_admin_create (store, journal, cashier, &spec, NULL, &manager_override, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  ck_assert (!till_product_admin_set_active (store, journal, cashier, id, FALSE, NULL, &error));
  ck_assert_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED);
  ck_assert_int_eq (query_int ("SELECT active FROM product WHERE sku = ?", "W001"), 1);
}
END_TEST

/* /product-admin/categories */
START_TEST (test_categories)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  gint64           drinks;
  gint64           tea;

  drinks = till_product_admin_add_category (store, journal, manager, 0, "饮料", NULL, &error);
  ck_assert_msg (drinks > 0, "%s", error ? error->message : "");
  tea = till_product_admin_add_category (store, journal, manager, drinks, "茶", NULL, &error);
  ck_assert (tea > 0);
  ck_assert_int_eq (
      till_product_admin_add_category (store, journal, manager, drinks, "茶", NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_DUPLICATE);
  g_clear_error (&error);
  ck_assert_int_eq (
      till_product_admin_add_category (store, journal, manager, 0, "a/b", NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_int_eq (
      till_product_admin_add_category (store, journal, manager, 77, "x", NULL, &error), 0);
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ck_assert (
      till_product_admin_rename_category (store, journal, manager, tea, "茶饮", NULL, &error));
  path = till_product_admin_get_category_path (store, tea, &error);
  ck_assert_str_eq (path, "饮料/茶饮");
  g_clear_pointer (&path, g_free);
  path = till_product_admin_get_category_path (store, 0, &error);
  ck_assert_str_eq (path, "");
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'product'", NULL), 3);
}
END_TEST

/* /product-admin/import-bad-rows: every bad row is reported with its row
 * and column, and nothing is written. */
START_TEST (test_import_bad_rows)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillImportResult) result = NULL;
  g_autofree char         *before = NULL;
  g_autofree char         *after = NULL;
  const TillImportProblem *problem;
  gboolean                 applied = TRUE;
  /* Chinese headers, in an order of their own, and a column nobody knows. */
  static const char *const header[] = { "名称", "编码", "售价", "条码", "备注", "分类", NULL };
  static const char *const good[] = { "可口可乐 330ml", "C001", "3.50", "6901939621257", "",
                                      "饮料/碳酸",      NULL };
  static const char *const bad_price[] = { "雪碧", "C002", "3.5.0", "", "", "", NULL };
  static const char *const bad_check[] = { "芬达", "C003", "3", "6901939621258", "", "", NULL };
  static const char *const duplicate_sku[] = { "可乐", "C001", "3", "", "", "", NULL };
  static const char *const no_name[] = { "", "C004", "3", "", "", "", NULL };
  static const char *const taken_barcode[] = { "水", "C005", "2", "6921168509256", "", "", NULL };
  static const char *const blank[] = { "", "", "", "", "", "", NULL };
  static const char *const *const table[] = {
    header, good, bad_price, bad_check, duplicate_sku, no_name, taken_barcode, blank, NULL,
  };

  create_water ();
  before = catalog_checksum ();
  rows = make_rows (table);
  result = till_product_admin_import (store, journal, manager, rows, FALSE, NULL, &applied, &error);
  ck_assert_msg (result != NULL, "%s", error ? error->message : "");
  ck_assert (!applied);
  for (guint i = 0; i < result->problems->len; i++)
    {
      problem = g_ptr_array_index (result->problems, i);
      g_print ("row %u, column %s: %s\n", problem->row, problem->column, problem->message);
    }
  ck_assert_uint_eq (result->problems->len, 5);
  problem = find_problem (result, 3, "售价");
  ck_assert_ptr_nonnull (problem);
  ck_assert_str_eq (problem->value, "3.5.0");
  problem = find_problem (result, 4, "条码");
  ck_assert_ptr_nonnull (problem);
  ck_assert_msg (strstr (problem->message, "check digit") != NULL, "%s", problem->message);
  problem = find_problem (result, 5, "编码");
  ck_assert_ptr_nonnull (problem);
  ck_assert_msg (strstr (problem->message, "row 2") != NULL, "%s", problem->message);
  ck_assert_ptr_nonnull (find_problem (result, 6, "名称"));
  problem = find_problem (result, 7, "条码");
  ck_assert_ptr_nonnull (problem);
  ck_assert_msg (strstr (problem->message, "W001") != NULL, "%s", problem->message);
  /* The unknown category of row 2 is no problem: it would be created. */
  ck_assert_ptr_null (find_problem (result, 2, "分类"));

  after = catalog_checksum ();
  ck_assert_str_eq (before, after);
}
END_TEST

/* /product-admin/import-good: new SKUs create, known ones update; empty
 * cells keep what is stored; categories and stock limits are written. */
START_TEST (test_import_good)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillImportResult) result = NULL;
  g_autoptr (TillImportResult) dry = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) barcodes = NULL;
  gboolean                 applied = FALSE;
  static const char *const header[] = { "SKU",   "name",  "price",    "member_price", "cost",
                                        "vat",   "unit",  "category", "barcode",      "weighed",
                                        "lower", "upper", "plu",      "active",       NULL };
  static const char *const update[] = { "W001", "", "￥2.50", "",   "1.2", "9%", "",  "饮料 / 水",
                                        "",     "", "5",      "40", "",    "",   NULL };
  static const char *const create[] = {
    "A100", "苹果 红富士", "¥12.5", "11", "8", "13", "kg", "生鲜", "2000011000004|A100X", "是", "",
    "",     "40123",       "yes",   NULL
  };
  static const char *const *const table[] = { header, update, create, NULL };
  gint64                          water = create_water ();
  gint64                          apple;

  rows = make_rows (table);
  before = catalog_checksum ();
  dry = till_product_admin_import (store, journal, manager, rows, TRUE, NULL, &applied, &error);
  ck_assert_msg (dry != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (dry->problems->len, 0);
  ck_assert_uint_eq (dry->created, 1);
  ck_assert_uint_eq (dry->updated, 1);
  ck_assert (!applied);
  after = catalog_checksum ();
  ck_assert_str_eq (before, after);

  result = till_product_admin_import (store, journal, manager, rows, FALSE, NULL, &applied, &error);
  ck_assert_msg (result != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < result->problems->len; i++)
    {
      const TillImportProblem *problem = g_ptr_array_index (result->problems, i);

      ck_abort_msg ("row %u, column %s: %s", problem->row, problem->column, problem->message);
    }
  ck_assert (applied);
  ck_assert_uint_eq (result->created, 1);
  ck_assert_uint_eq (result->updated, 1);
  ck_assert_uint_eq (result->unchanged, 0);

  /* The update: what was given changed, the rest is as it was. */
  ck_assert_int_eq (query_int ("SELECT price FROM product WHERE sku = ?", "W001"), 250);
  ck_assert_int_eq (query_int ("SELECT member_price FROM product WHERE sku = ?", "W001"), 180);
  ck_assert_int_eq (query_int ("SELECT cost FROM product WHERE sku = ?", "W001"), 120);
  ck_assert_int_eq (query_int ("SELECT vat_rate FROM product WHERE sku = ?", "W001"), 900);
  path = query_text ("SELECT name FROM product WHERE sku = ?", "W001");
  ck_assert_str_eq (path, "农夫山泉 550ml");
  g_clear_pointer (&path, g_free);
  barcodes = till_product_admin_get_barcodes (store, water, &error);
  ck_assert_int_eq (g_strv_length (barcodes), 1);
  g_clear_pointer (&barcodes, g_strfreev);
  path = till_product_admin_get_category_path (
      store, query_int ("SELECT category_id FROM product WHERE sku = ?", "W001"), &error);
  ck_assert_str_eq (path, "饮料/水");
  g_clear_pointer (&path, g_free);
  ck_assert_int_eq (query_int ("SELECT lower FROM stock_limit WHERE product_id = 1", NULL), 5000);
  ck_assert_int_eq (query_int ("SELECT upper FROM stock_limit WHERE product_id = 1", NULL), 40000);

  /* The new product. */
  apple = query_int ("SELECT id FROM product WHERE sku = ?", "A100");
  ck_assert_int_eq (query_int ("SELECT price FROM product WHERE sku = ?", "A100"), 1250);
  ck_assert_int_eq (query_int ("SELECT member_price FROM product WHERE sku = ?", "A100"), 1100);
  ck_assert_int_eq (query_int ("SELECT weighed FROM product WHERE sku = ?", "A100"), 1);
  path = query_text ("SELECT pinyin FROM product WHERE sku = ?", "A100");
  ck_assert_str_eq (path, "PGHFS");
  g_clear_pointer (&path, g_free);
  path = query_text ("SELECT plu FROM product WHERE sku = ?", "A100");
  ck_assert_str_eq (path, "40123");
  g_clear_pointer (&path, g_free);
  barcodes = till_product_admin_get_barcodes (store, apple, &error);
  ck_assert_int_eq (g_strv_length (barcodes), 2);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM stock_limit WHERE product_id ="
                               " (SELECT id FROM product WHERE sku = ?)",
                               "A100"),
                    0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'product-import'", NULL),
                    1);
  path = query_text ("SELECT CAST(body AS TEXT) FROM journal WHERE kind = 'product-import'", NULL);
  ck_assert_msg (strstr (path, "\"created_skus\":[\"A100\"]") != NULL, "%s", path);
  ck_assert_msg (strstr (path, "\"created_categories\":[\"饮料\",\"饮料/水\",\"生鲜\"]") != NULL,
                 "%s", path);

  /* The same file again changes nothing. */
  {
    g_autoptr (TillImportResult) again =
        till_product_admin_import (store, journal, manager, rows, FALSE, NULL, &applied, &error);

    ck_assert_ptr_nonnull (again);
    ck_assert_uint_eq (again->unchanged, 2);
    ck_assert_uint_eq (again->created + again->updated, 0);
    ck_assert (!applied);
  }
}
END_TEST

/* /product-admin/round-trip: what export writes, import reads back as
 * unchanged, product for product. */
START_TEST (test_round_trip)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillImportResult) result = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean         applied = TRUE;
  gint64           tea;
  gint64           n_products;

  /* The demo makes its own users. */
  g_clear_object (&cashier);
  g_clear_object (&manager);
  ck_assert (till_store_exec (store, "DELETE FROM user", &error));
  ck_assert_msg (till_demo_populate (store, 300, 7, &error), "%s", error ? error->message : "");
  manager = till_user_authenticate (store, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN, &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  tea = till_product_admin_add_category (store, journal, manager, 0, "茶", NULL, &error);
  ck_assert (tea > 0);
  ck_assert (till_store_exec (store,
                              "INSERT INTO stock_limit (product_id, lower, upper)"
                              " SELECT id, 2500, NULL FROM product WHERE id % 7 = 0;"
                              "UPDATE product SET vat_rate = 950, active = 0 WHERE id % 11 = 0;",
                              &error));
  n_products = query_int ("SELECT count(*) FROM product", NULL);
  rows = till_product_admin_export (store, &error);
  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (rows->len, n_products + 1);
  ck_assert_str_eq (((char **) rows->pdata[0])[0], "sku");

  before = catalog_checksum ();
  result = till_product_admin_import (store, journal, manager, rows, FALSE, NULL, &applied, &error);
  ck_assert_msg (result != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < result->problems->len && i < 5; i++)
    {
      const TillImportProblem *problem = g_ptr_array_index (result->problems, i);

      g_print ("row %u, column %s (%s): %s\n", problem->row, problem->column, problem->value,
               problem->message);
    }
  ck_assert_uint_eq (result->problems->len, 0);
  ck_assert_uint_eq (result->unchanged, n_products);
  ck_assert_uint_eq (result->created + result->updated, 0);
  ck_assert (!applied);
  after = catalog_checksum ();
  ck_assert_str_eq (before, after);
}
END_TEST

/* /product-admin/no-sku-column */
START_TEST (test_no_sku_column)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  static const char *const        header[] = { "name", "price", NULL };
  static const char *const        row[] = { "x", "1", NULL };
  static const char *const *const table[] = { header, row, NULL };

  rows = make_rows (table);
  ck_assert_ptr_null (
      till_product_admin_import (store, journal, manager, rows, FALSE, NULL, NULL, &error));
  ck_assert_error_matches (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_INVALID);
}
END_TEST

static Suite *
product_admin_suite (void)
{
  Suite *suite = suite_create ("product-admin");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/product-admin/create-update-deactivate", test_create_update_deactivate },
    { "/product-admin/duplicates", test_duplicates },
    { "/product-admin/invalid", test_invalid },
    { "/product-admin/permission", test_permission },
    { "/product-admin/categories", test_categories },
    { "/product-admin/import-bad-rows", test_import_bad_rows },
    { "/product-admin/import-good", test_import_good },
    { "/product-admin/round-trip", test_round_trip },
    { "/product-admin/no-sku-column", test_no_sku_column },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_set_timeout (tcase, 60);
      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (void)
{
  return till_test_run_suite (product_admin_suite ());
}
