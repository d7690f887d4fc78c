/* test-admin-products.c: tests for src/admin/till-admin-products.c, run as
 * the program store IT runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "till-core.h"
#include "till-sheet.h"
#include "till-test-util.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

static const char *admin_path;
static char       *scratch;
static char       *db_path;

/* A store with a manager and a cashier and its journal key beside it,
 * closed again for the admin to open. */
static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autofree char *journal_key = NULL;

  scratch = till_test_make_tmpdir ();
  db_path = g_build_filename (scratch, "till.db", NULL);
  journal_key = g_build_filename (scratch, "till.key", NULL);
  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  journal = till_journal_new (store, journal_key, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (store, "1001", "王小丽", TILL_ROLE_CASHIER, "1234", &error) > 0);
  ck_assert (till_user_create (store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", &error) > 0);
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
  g_clear_pointer (&db_path, g_free);
}

/* Runs opentill-admin products with @args (NULL-terminated) on the test's
 * database; returns its exit status. */
static int
run_admin (char **out_stdout, char **out_stderr, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list     args;
  int         status = -1;

  g_ptr_array_add (argv, (char *) admin_path);
  g_ptr_array_add (argv, (char *) "products");
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, db_path);
  g_ptr_array_add (argv, NULL);

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out_stdout, out_stderr, &status, &error),
                 "%s", error ? error->message : "");
  ck_assert (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static gint64
query_int (const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static int
import_good (char **out, char **err)
{
  g_autofree char *good = till_test_source_path ("tests/data/products-good.csv");

  return run_admin (out, err, "import", good, "--user", "9001", "--pin", "9999", NULL);
}

/* /admin/products/import: the seed file creates three products with their
 * categories, barcodes and stock limits; the second time nothing changes. */
START_TEST (test_import)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (import_good (&out, &err), 0);
  ck_assert_msg (strstr (out, "Created 3, updated 0, unchanged 0") != NULL, "%s%s", out, err);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM product"), 3);
  ck_assert_int_eq (query_int ("SELECT price FROM product WHERE sku = '0001'"), 200);
  ck_assert_int_eq (query_int ("SELECT weighed FROM product WHERE sku = '0003'"), 1);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM barcode"), 3);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM category"), 5);
  ck_assert_int_eq (query_int ("SELECT upper FROM stock_limit WHERE product_id ="
                               " (SELECT id FROM product WHERE sku = '0001')"),
                    48000);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'product-import'"), 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  ck_assert_int_eq (import_good (&out, &err), 0);
  ck_assert_msg (strstr (out, "Created 0, updated 0, unchanged 3") != NULL, "%s%s", out, err);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal WHERE kind = 'product-import'"), 1);
}
END_TEST

/* /admin/products/import-bad: every problem is printed as "row N, column
 * C: …", the exit status is 1 and nothing is written. */
START_TEST (test_import_bad)
{
  g_autofree char         *out = NULL;
  g_autofree char         *err = NULL;
  g_autofree char         *bad = till_test_source_path ("tests/data/products-bad.csv");
  static const char *const expected[] = {
    "row 3, column price: ", "row 4, column barcode: ", "row 5, column sku: ",
    "row 6, column name: ",  "row 6, column price: ",   "row 7, column vat: ",
  };
  gint64 entries = query_int ("SELECT count(*) FROM journal");

  ck_assert_int_eq (run_admin (&out, &err, "import", bad, "--user", "9001", "--pin", "9999", NULL),
                    EXIT_FAILED);
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    ck_assert_msg (strstr (err, expected[i]) != NULL, "no “%s” in: %s", expected[i], err);
  ck_assert_msg (strstr (err, "row 2,") == NULL, "%s", err);
  ck_assert_msg (strstr (err, "Nothing was imported: 6 problems.") != NULL, "%s", err);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM product"), 0);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM journal"), entries);
}
END_TEST

/* /admin/products/dry-run: counts what would happen, writes nothing. */
START_TEST (test_dry_run)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *good = till_test_source_path ("tests/data/products-good.csv");

  ck_assert_int_eq (
      run_admin (&out, &err, "import", good, "--dry-run", "--user", "9001", "--pin", "9999", NULL),
      0);
  ck_assert_msg (strstr (out, "3 to create") != NULL, "%s", out);
  ck_assert_int_eq (query_int ("SELECT count(*) FROM product"), 0);
}
END_TEST

/* /admin/products/export: CSV and XLSX in the import's columns, read back
 * the same, and imported again unchanged. */
START_TEST (test_export)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) csv_rows = NULL;
  g_autoptr (GPtrArray) xlsx_rows = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *csv = g_build_filename (scratch, "products.csv", NULL);
  g_autofree char *xlsx = g_build_filename (scratch, "products.xlsx", NULL);

  ck_assert_int_eq (import_good (&out, &err), 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, "export", csv, NULL), 0);
  ck_assert_msg (strstr (out, "Exported 3 products") != NULL, "%s%s", out, err);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, "export", xlsx, NULL), 0);

  csv_rows = till_sheet_read (csv, &error);
  ck_assert_msg (csv_rows != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (csv_rows->len, 4);
  ck_assert_str_eq (((char **) csv_rows->pdata[1])[0], "0001");
  ck_assert_str_eq (((char **) csv_rows->pdata[1])[3], "2.00");
  xlsx_rows = till_sheet_read (xlsx, &error);
  ck_assert_msg (xlsx_rows != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (xlsx_rows->len, 4);
  /* SKUs stay text, with their leading zeros; prices are numbers. */
  ck_assert_str_eq (((char **) xlsx_rows->pdata[3])[0], "0003");
  ck_assert_str_eq (((char **) xlsx_rows->pdata[3])[3], "12.8");
  ck_assert_str_eq (((char **) xlsx_rows->pdata[3])[8], "生鲜/水果");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, "import", xlsx, "--user", "9001", "--pin", "9999", NULL),
                    0);
  ck_assert_msg (strstr (out, "unchanged 3") != NULL, "%s%s", out, err);
}
END_TEST

/* /admin/products/list */
START_TEST (test_list)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  ck_assert_int_eq (import_good (&out, &err), 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, "list", "可乐", NULL), 0);
  ck_assert_msg (strstr (out, "0002") != NULL, "%s", out);
  ck_assert_msg (strstr (out, "0001") == NULL, "%s", out);
  ck_assert_msg (strstr (out, "12345670") != NULL, "%s", out);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  ck_assert_int_eq (run_admin (&out, &err, "list", "6921168509256", NULL), 0);
  ck_assert_msg (strstr (out, "农夫山泉") != NULL, "%s", out);
}
END_TEST

/* /admin/products/refusals: who may not, and what is not right, changes
 * nothing. */
START_TEST (test_refusals)
{
  g_autofree char *good = till_test_source_path ("tests/data/products-good.csv");
  g_autofree char *missing = g_build_filename (scratch, "missing.csv", NULL);
  const struct
  {
    const char *args[8];
    int         status;
  } cases[] = {
    { { "import", NULL }, EXIT_USAGE },
    { { "import", good, NULL }, EXIT_USAGE },
    { { "import", good, "--user", "9001", "--pin", "0000", NULL }, EXIT_FAILED },
    { { "import", good, "--user", "1001", "--pin", "1234", NULL }, EXIT_FAILED },
    { { "import", missing, "--user", "9001", "--pin", "9999", NULL }, EXIT_FAILED },
    { { "frobnicate", NULL }, EXIT_USAGE },
    { { "export", NULL }, EXIT_USAGE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char   *out = NULL;
      g_autofree char   *err = NULL;
      const char *const *a = cases[i].args;

      ck_assert_msg (run_admin (&out, &err, a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL) ==
                         cases[i].status,
                     "case %zu: %s", i, err);
    }
  ck_assert_int_eq (query_int ("SELECT count(*) FROM product"), 0);
}
END_TEST

static Suite *
admin_products_suite (void)
{
  Suite *suite = suite_create ("admin-products");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/admin/products/import", test_import },   { "/admin/products/import-bad", test_import_bad },
    { "/admin/products/dry-run", test_dry_run }, { "/admin/products/export", test_export },
    { "/admin/products/list", test_list },       { "/admin/products/refusals", test_refusals },
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
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s PATH-TO-OPENTILL-ADMIN\n", argv[0]);
      return 2;
    }
  admin_path = argv[1];
  return till_test_run_suite (admin_products_suite ());
}
