/* test-e2e.c: several tills selling and syncing at once against a real
 * opentill-hq, on SQLite and on PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-e2e"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "till-pg-fixture.h"
#include "till-sync-test-util.h"
#include "till-test-util.h"

/* Sales each till makes while the others sell and sync too. */
#define SALES_PER_TILL 120
#define SYNC_EVERY 15
#define N_TILLS 3

/* A list price, a price for store S001 only and one for group G2 (store
 * S002), effective since an instant in the past. */
#define WATER_SKU "M001"
#define WATER_BARCODE "6921168509256"
#define WATER_LIST_PRICE 200
#define WATER_STORE_PRICE 180
#define WATER_GROUP_PRICE 190
#define WATER_EFFECTIVE_US G_GINT64_CONSTANT (1700000000000000)

static TillPgServer *pg_server;

typedef struct
{
  char         *scratch;
  TillTestHq   *hq;
  TillTestTill *tills[N_TILLS];
} Fixture;

/* Till i's store: two tills in S001 (group G1), one in S002 (group G2). */
static const char *const till_stores[N_TILLS] = { "S001", "S001", "S002" };
static const guint       till_numbers[N_TILLS] = { 1, 2, 1 };

static void
fixture_setup (Fixture *fx, gboolean postgres)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *hq_dir = NULL;

  fx->scratch = till_test_make_tmpdir ();
  hq_dir = g_build_filename (fx->scratch, "hq", NULL);
  g_mkdir_with_parents (hq_dir, 0700);
  if (postgres)
    {
      ck_assert_msg (pg_server != NULL, "no PostgreSQL server");
      g_autofree char *name = g_strdup_printf ("hq_e2e_%d", (int) getpid ());

      location = till_pg_server_create_database (pg_server, name, &error);
      ck_assert_msg (location != NULL, "%s", error ? error->message : "");
    }
  fx->hq = till_test_hq_new (hq_dir, location, &error);
  ck_assert_msg (fx->hq != NULL, "%s", error ? error->message : "");

  ck_assert (hq_store_put_group (fx->hq->store, "G1", "华东区", &error));
  ck_assert (hq_store_put_group (fx->hq->store, "G2", "华南区", &error));
  ck_assert (hq_store_put_store (fx->hq->store, "S001", "上海徐汇店", "G1", &error));
  ck_assert (hq_store_put_store (fx->hq->store, "S002", "广州天河店", "G2", &error));
  ck_assert_msg (till_test_hq_start (fx->hq, 0, &error), "%s", error ? error->message : "");

  for (guint i = 0; i < N_TILLS; i++)
    {
      g_autofree char *dir = g_strdup_printf ("%s/till%u", fx->scratch, i);
      g_autofree char *token = till_test_hq_token (fx->hq, till_stores[i], till_numbers[i]);

      fx->tills[i] = till_test_till_new (dir, &error);
      ck_assert_msg (fx->tills[i] != NULL, "%s", error ? error->message : "");
      ck_assert_msg (till_test_till_enroll (fx->tills[i], fx->hq->url, token, &error), "%s",
                     error ? error->message : "");
      ck_assert_str_eq (fx->tills[i]->store_id, till_stores[i]);
    }
}

static void
fixture_teardown (Fixture *fx)
{
  for (guint i = 0; i < N_TILLS; i++)
    till_test_till_close (fx->tills[i]);
  till_test_hq_free (fx->hq);
  till_test_remove_tree (fx->scratch);
  g_free (fx->scratch);
}

/* --- Several tills at once ----------------------------------------------------- */

/* One till's work on its own thread: it is the only user of its store. */
static gpointer
sell_and_sync_thread (gpointer user_data)
{
  TillTestTill *till = user_data;
  g_autoptr (GError) error = NULL;

  for (guint made = 0; made < SALES_PER_TILL; made += SYNC_EVERY)
    {
      g_autoptr (GError) sync_error = NULL;

      if (!till_test_till_sell (till, SYNC_EVERY, made, &error))
        return g_strdup_printf ("%s: selling: %s", till->till_id, error->message);
      /* A round may fail while HQ is busy with the others: the drain below
       * must still deliver everything. */
      if (!till_test_till_sync (till, 30, NULL, &sync_error))
        g_printerr ("%s: sync round: %s\n", till->till_id, sync_error->message);
    }
  if (!till_test_till_drain (till, 50, &error))
    return g_strdup_printf ("%s: draining: %s", till->till_id, error->message);
  return NULL;
}

static void
run_tills (gboolean postgres)
{
  g_autoptr (GError) error = NULL;
  Fixture           fx = { 0 };
  GThread          *threads[N_TILLS];
  const char       *db_paths[N_TILLS];
  const char       *store_ids[N_TILLS];
  TillTestSetResult result;

  fixture_setup (&fx, postgres);
  for (guint i = 0; i < N_TILLS; i++)
    threads[i] = g_thread_new ("till", sell_and_sync_thread, fx.tills[i]);
  for (guint i = 0; i < N_TILLS; i++)
    {
      g_autofree char *failure = g_thread_join (threads[i]);

      ck_assert_msg (failure == NULL, "%s", failure);
    }

  /* Every sale at HQ exactly once, counted per till… */
  for (guint i = 0; i < N_TILLS; i++)
    {
      gint64 held = hq_store_count_documents (fx.hq->store, "sale", fx.tills[i]->till_id, &error);

      ck_assert_msg (held >= 0, "%s", error ? error->message : "");
      ck_assert_int_eq (held, SALES_PER_TILL);
      ck_assert_int_eq (till_test_till_query_int (fx.tills[i], "SELECT count(*) FROM sale", NULL),
                        SALES_PER_TILL);
      db_paths[i] = fx.tills[i]->db_path;
      store_ids[i] = fx.tills[i]->store_id;
    }

  /* …and as a set, with the roll-ups per store, day and product equal to the
   * tills' own sums. */
  ck_assert_msg (till_test_check_sets (fx.hq, db_paths, store_ids, N_TILLS, &result, &error), "%s",
                 error ? error->message : "");
  till_test_print_sets (postgres ? "e2e-postgres" : "e2e-sqlite", &result);
  ck_assert_int_eq (result.made, N_TILLS * SALES_PER_TILL);
  ck_assert_int_eq (result.delivered, result.made);
  ck_assert_int_eq (result.lost, 0);
  ck_assert_int_eq (result.doubled, 0);
  ck_assert_int_eq (result.unexpected, 0);
  ck_assert_int_eq (result.rollup_over, 0);
  ck_assert_int_eq (result.rollup_under, 0);

  fixture_teardown (&fx);
}

/* /sync/e2e/sqlite/tills: three tills in two stores sell and sync at once */
START_TEST (test_tills_sqlite)
{
  run_tills (FALSE);
}
END_TEST

/* /sync/e2e/postgres/tills: the same against HQ on PostgreSQL */
START_TEST (test_tills_postgres)
{
  run_tills (TRUE);
}
END_TEST

/* --- Master data ---------------------------------------------------------------- */

static void
write_import (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
      "{\"items\":[{\"sku\":\"" WATER_SKU "\",\"name\":\"农夫山泉饮用天然水 550ml\","
      "\"short_name\":\"农夫山泉\",\"unit\":\"瓶\",\"category\":null,"
      "\"barcodes\":[\"" WATER_BARCODE "\"],\"plu\":null,\"brand\":\"农夫山泉\","
      "\"vat_rate\":1300,\"weighed\":false,\"active\":true,\"cost\":120,"
      "\"price\":%d,\"member_price\":0}],"
      "\"prices\":["
      "{\"sku\":\"" WATER_SKU "\",\"price\":%d,\"member_price\":0,"
      "\"effective_from_us\":%" G_GINT64_FORMAT ",\"scope\":\"store:S001\"},"
      "{\"sku\":\"" WATER_SKU "\",\"price\":%d,\"member_price\":0,"
      "\"effective_from_us\":%" G_GINT64_FORMAT ",\"scope\":\"group:G2\"}],"
      "\"users\":["
      "{\"code\":\"2001\",\"name\":\"李四\",\"role\":\"cashier\",\"active\":true,\"pin\":\"8888\","
      "\"max_line_discount_bp\":null,\"max_price_override\":null,\"max_refund\":null},"
      "{\"code\":\"2002\",\"name\":\"王五\",\"role\":\"cashier\",\"active\":true,\"pin\":\"6666\","
      "\"max_line_discount_bp\":null,\"max_price_override\":null,\"max_refund\":null,"
      "\"scope\":\"store:S002\"}]}",
      WATER_LIST_PRICE, WATER_STORE_PRICE, WATER_EFFECTIVE_US, WATER_GROUP_PRICE,
      WATER_EFFECTIVE_US);

  ck_assert_msg (g_file_set_contents (path, json, -1, &error), "%s", error ? error->message : "");
}

static gint64
water_price (TillTestTill *till)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product =
      till_catalog_lookup_barcode (till->catalog, WATER_BARCODE, &error);

  ck_assert_msg (product != NULL, "%s: %s", till->till_id, error ? error->message : "");
  return till_product_get_price (product);
}

static gboolean
can_sign_in (TillTestTill *till, const char *code, const char *pin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = till_user_authenticate (till->store, code, pin, &error);

  return user != NULL;
}

static gint64
hq_amount_of (TillTestHq *hq, const char *store_id, const char *sku)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HqDbRows) rows = hq_store_report_products (hq->store, store_id, NULL, NULL, &error);
  gint64 amount = 0;

  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  for (guint r = 0; r < hq_db_rows_get_n_rows (rows); r++)
    if (g_strcmp0 (hq_db_rows_get_text (rows, r, 2), sku) == 0)
      amount += hq_db_rows_get_int (rows, r, 5);
  return amount;
}

static void
run_master_data (gboolean postgres)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *import_path = NULL;
  g_autofree char *sale_uuid = NULL;
  g_autofree char *price_id = NULL;
  Fixture          fx = { 0 };
  guint            n_rows = 0;

  fixture_setup (&fx, postgres);
  import_path = g_build_filename (fx.scratch, "import.json", NULL);
  write_import (import_path);
  ck_assert_msg (hq_store_import_file (fx.hq->store, import_path, &n_rows, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_eq (n_rows, 5);

  for (guint i = 0; i < N_TILLS; i++)
    ck_assert_msg (till_test_till_sync (fx.tills[i], 30, NULL, &error), "%s",
                   error ? error->message : "");

  /* The store price reaches S001's tills only, the group price S002's. */
  ck_assert_int_eq (water_price (fx.tills[0]), WATER_STORE_PRICE);
  ck_assert_int_eq (water_price (fx.tills[1]), WATER_STORE_PRICE);
  ck_assert_int_eq (water_price (fx.tills[2]), WATER_GROUP_PRICE);

  /* The user for every store signs in everywhere with the PIN set at HQ; the
   * one for S002 only there. */
  for (guint i = 0; i < N_TILLS; i++)
    {
      ck_assert_msg (can_sign_in (fx.tills[i], "2001", "8888"), "2001 at %s", fx.tills[i]->till_id);
      ck_assert (!can_sign_in (fx.tills[i], "2001", "8889"));
    }
  ck_assert (!can_sign_in (fx.tills[0], "2002", "6666"));
  ck_assert (!can_sign_in (fx.tills[1], "2002", "6666"));
  ck_assert (can_sign_in (fx.tills[2], "2002", "6666"));

  /* A sale at the store price is rolled up at that price. */
  sale_uuid = till_test_till_sell_sku (fx.tills[0], WATER_SKU, &error);
  ck_assert_msg (sale_uuid != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_test_till_drain (fx.tills[0], 10, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (hq_amount_of (fx.hq, "S001", WATER_SKU), WATER_STORE_PRICE);
  ck_assert_int_eq (hq_amount_of (fx.hq, "S002", WATER_SKU), 0);

  /* Deleting the store price at HQ reverts S001 to the list price; S002
   * keeps its group price. */
  price_id = g_strdup_printf ("%s@%" G_GINT64_FORMAT, WATER_SKU, WATER_EFFECTIVE_US);
  ck_assert_msg (hq_store_delete_row (fx.hq->store, "prices", price_id, "store:S001", &error), "%s",
                 error ? error->message : "");
  for (guint i = 0; i < N_TILLS; i++)
    ck_assert_msg (till_test_till_sync (fx.tills[i], 30, NULL, &error), "%s",
                   error ? error->message : "");
  ck_assert_int_eq (water_price (fx.tills[0]), WATER_LIST_PRICE);
  ck_assert_int_eq (water_price (fx.tills[1]), WATER_LIST_PRICE);
  ck_assert_int_eq (water_price (fx.tills[2]), WATER_GROUP_PRICE);

  fixture_teardown (&fx);
}

/* /sync/e2e/sqlite/master-data: prices by store and group, users, deletes */
START_TEST (test_master_data_sqlite)
{
  run_master_data (FALSE);
}
END_TEST

/* /sync/e2e/postgres/master-data */
START_TEST (test_master_data_postgres)
{
  run_master_data (TRUE);
}
END_TEST

static Suite *
e2e_suite (void)
{
  Suite *suite = suite_create ("sync/e2e");
  TCase *tc;

  tc = tcase_create ("sqlite");
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_tills_sqlite);
  tcase_add_test (tc, test_master_data_sqlite);
  suite_add_tcase (suite, tc);

  tc = tcase_create ("postgres");
  tcase_set_timeout (tc, 240);
  tcase_add_test (tc, test_tills_postgres);
  tcase_add_test (tc, test_master_data_postgres);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;
  int served = till_test_hq_serve_main (argc, argv);

  if (served >= 0)
    return served;

  /* One PostgreSQL server for the whole suite, before Check forks. */
  pg_server = till_pg_server_start (&error);
  if (pg_server == NULL)
    g_printerr ("PostgreSQL: %s\n", error->message);
  status = till_test_run_suite (e2e_suite ());
  if (pg_server != NULL)
    till_pg_server_stop (pg_server);
  return status;
}
