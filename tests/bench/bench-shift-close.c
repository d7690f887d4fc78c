/* bench-shift-close.c: how long a shift's close, its X report and the Z take
 * after 10,000 sales, against recomputing the totals from the raw rows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo store (200 SKUs), one shift, then 10,000 sales of 1–4 lines
 * through the real API (till_cart_add_product, till_sale_commit_cash), with
 * every 25th sale partly returned, every 50th act a no-sale and every 100th
 * a cash drop, so the shift's tallies and raw rows look like a long day's.
 * Generating goes through the same code as the till (each act's own
 * transaction, its tallies included) but with PRAGMA synchronous = OFF, so
 * that 10,000 sales take seconds rather than the minutes of 10,000 fsyncs;
 * the store's own synchronous = FULL is back before anything is timed. The
 * database lives in /dev/shm when there is one, else $TMPDIR, or in the
 * first argument: put it on the till's real disk to count fsync honestly.
 *
 * Timed: the X report; the close (begin + blind count + finish + close
 * report); the Z report; and, for comparison, the shift's totals
 * recomputed by scanning sale, sale_line, payment, sale_return,
 * refund_payment, drawer_event, cash_movement, sv_top_up and the journal's
 * voids, which is what the reports would cost without shift_tally.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "till-core.h"

#include "bench-util.h"

#define N_SKUS 200
#define N_SALES 10000
#define TARGET_CLOSE_MS 50.0

typedef struct
{
  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillCart    *cart;
  TillUser    *user;
  GPtrArray   *products;
  GRand       *rand;
} Bench;

static GPtrArray *
load_products (Bench *bench, GError **error)
{
  g_autoptr (GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (TillStmt) stmt = till_store_prepare (
      bench->store, "SELECT id FROM product WHERE active AND NOT weighed", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      TillProduct *product =
          till_catalog_lookup_id (bench->catalog, g_array_index (ids, gint64, i), error);

      if (product == NULL)
        return NULL;
      g_ptr_array_add (products, product);
    }
  return g_steal_pointer (&products);
}

/* A count of @total fen (rounded down to the jiao), largest pieces first. */
static TillCashCount
count_for (gint64 total)
{
  TillCashCount count = { { 0 } };

  for (guint i = 0; i < TILL_N_DENOMINATIONS; i++)
    {
      gint64 value = till_denomination_get_value ((TillDenomination) i);

      count.pieces[i] = total / value;
      total %= value;
    }
  return count;
}

static TillSale *
one_sale (Bench *bench, GError **error)
{
  guint n_lines = (guint) g_rand_int_range (bench->rand, 1, 5);

  for (guint line = 0; line < n_lines; line++)
    {
      TillProduct *product =
          bench->products->pdata[g_rand_int_range (bench->rand, 0, (gint32) bench->products->len)];

      if (till_cart_add_product (bench->cart, product,
                                 TILL_QUANTITY_ONE * g_rand_int_range (bench->rand, 1, 4),
                                 error) == NULL)
        return NULL;
    }
  return till_sale_commit_cash (bench->cart, bench->journal, bench->user,
                                till_cart_get_total (bench->cart) + 5000, error);
}

static gboolean
return_one_piece (Bench *bench, TillSale *sale, GError **error)
{
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (bench->store, sale, error);

  return ret != NULL && till_return_set_quantity (ret, 0, TILL_QUANTITY_ONE, error) &&
         till_return_commit (ret, bench->journal, bench->user, NULL, error);
}

static gboolean
generate_day (Bench *bench, GError **error)
{
  if (!till_store_exec (bench->store, "PRAGMA synchronous = OFF", error))
    return FALSE;
  for (guint i = 0; i < N_SALES; i++)
    {
      g_autoptr (TillSale) sale = one_sale (bench, error);

      if (sale == NULL)
        return FALSE;
      if (i % 25 == 0 && !return_one_piece (bench, sale, error))
        return FALSE;
      if (i % 50 == 0 && till_drawer_open_no_sale (bench->store, bench->journal, bench->user,
                                                   "change", NULL, error) == 0)
        return FALSE;
      if (i % 100 == 0)
        {
          g_autofree char *uuid =
              till_shift_move_cash (bench->store, bench->journal, bench->user,
                                    TILL_CASH_MOVEMENT_DROP, 20000, "safe", NULL, error);

          if (uuid == NULL)
            return FALSE;
        }
      if (!till_store_checkpoint_if_due (bench->store, error))
        return FALSE;
    }
  return till_store_checkpoint (bench->store, TRUE, error) &&
         till_store_exec (bench->store, "PRAGMA synchronous = FULL", error);
}

/* One figure of the recomputation: count and sum by @sql for @shift_uuid. */
static gboolean
scan (Bench *bench, const char *sql, const char *shift_uuid, TillTally *out, GError **error)
{
  g_autoptr (TillStmt) stmt = till_store_prepare (bench->store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, shift_uuid, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      till_store_set_error (bench->store, error, "scan");
      return FALSE;
    }
  out->count = sqlite3_column_int64 (stmt, 0);
  out->amount = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* What the reports would read without shift_tally: every figure of the
 * shift from its raw rows. */
static gboolean
full_scan (Bench *bench, const char *shift_uuid, TillShiftTotals *totals, GError **error)
{
  static const char *const tender_sql =
      "SELECT p.method, count(*), sum(p.amount) FROM payment p "
      "JOIN sale s ON s.uuid = p.sale_uuid WHERE s.shift_uuid = ?1 GROUP BY p.method";
  g_autoptr (TillStmt) stmt = NULL;

  till_shift_totals_clear (totals);
  if (!scan (bench, "SELECT count(*), coalesce(sum(total), 0) FROM sale WHERE shift_uuid = ?",
             shift_uuid, &totals->sales, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(l.amount + l.line_discount + l.promotion_discount + "
             "l.sale_discount), 0) FROM sale_line l JOIN sale s ON s.uuid = l.sale_uuid "
             "WHERE s.shift_uuid = ?",
             shift_uuid, &totals->gross, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(d), 0) FROM (SELECT sum(l.promotion_discount) AS d "
             "FROM sale_line l JOIN sale s ON s.uuid = l.sale_uuid WHERE s.shift_uuid = ? "
             "GROUP BY s.uuid) WHERE d <> 0",
             shift_uuid, &totals->promotions, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(rounding), 0) FROM sale WHERE shift_uuid = ? "
             "AND rounding <> 0",
             shift_uuid, &totals->rounding, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(refund_total), 0) FROM sale_return "
             "WHERE shift_uuid = ?",
             shift_uuid, &totals->returns, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(json_extract(CAST(body AS TEXT), '$.line.amount')), "
             "0) FROM journal WHERE kind = 'void-line' AND "
             "json_extract(CAST(body AS TEXT), '$.shift_uuid') = ?",
             shift_uuid, &totals->voided_lines, error) ||
      !scan (bench, "SELECT count(*), 0 FROM drawer_event WHERE shift_uuid = ?", shift_uuid,
             &totals->drawer_opens, error) ||
      !scan (bench,
             "SELECT count(*), coalesce(sum(amount), 0) FROM cash_movement WHERE "
             "shift_uuid = ? AND kind = 'drop'",
             shift_uuid, &totals->cash_drops, error) ||
      !scan (bench, "SELECT count(*), coalesce(sum(amount), 0) FROM sv_top_up WHERE shift_uuid = ?",
             shift_uuid, &totals->top_ups, error))
    return FALSE;

  stmt = till_store_prepare (bench->store, tender_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, shift_uuid, -1, SQLITE_STATIC);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      TillTenderTally *tender = g_new0 (TillTenderTally, 1);

      tender->method = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      tender->taken.count = sqlite3_column_int64 (stmt, 1);
      tender->taken.amount = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (totals->tenders, tender);
    }
  return TRUE;
}

static double
elapsed_ms (gint64 started_ns)
{
  return (bench_now_ns () - started_ns) / 1e6;
}

static gboolean
run (Bench *bench, GError **error)
{
  g_autoptr (TillShift) shift = NULL;
  g_autoptr (TillShiftReport) x = NULL;
  g_autoptr (TillShiftReport) close = NULL;
  g_autoptr (TillShiftReport) z = NULL;
  TillShiftTotals scanned = { 0 };
  TillCashCount   count = count_for (50000);
  gint64          started_ns;
  double          x_ms, close_ms, z_ms, scan_ms;

  shift = till_shift_open (bench->store, bench->journal, bench->user, &count, error);
  if (shift == NULL || !generate_day (bench, error))
    return FALSE;

  started_ns = bench_now_ns ();
  x = till_shift_x_report (bench->store, bench->journal, bench->user, NULL, error);
  x_ms = elapsed_ms (started_ns);
  if (x == NULL)
    return FALSE;

  started_ns = bench_now_ns ();
  if (!full_scan (bench, till_shift_get_uuid (shift), &scanned, error))
    {
      g_clear_pointer (&scanned.tenders, g_ptr_array_unref);
      return FALSE;
    }
  scan_ms = elapsed_ms (started_ns);
  if (scanned.sales.amount != x->totals.sales.amount ||
      scanned.returns.amount != x->totals.returns.amount ||
      scanned.drawer_opens.count != x->totals.drawer_opens.count)
    g_printerr ("bench-shift-close: the tallies and the raw rows disagree!\n");
  g_clear_pointer (&scanned.tenders, g_ptr_array_unref);

  /* The count: what the X report says the drawer holds, to the jiao. */
  count = count_for (till_shift_totals_get_expected_cash (&x->totals, x->opening_float));
  started_ns = bench_now_ns ();
  if (!till_shift_begin_close (bench->store, bench->journal, bench->user, NULL, error) ||
      !till_shift_record_count (bench->store, bench->journal, bench->user, &count, error) ||
      !till_shift_finish_close (bench->store, bench->journal, bench->user, FALSE, "bench", NULL,
                                error))
    return FALSE;
  close = till_shift_close_report (bench->store, till_shift_get_uuid (shift), error);
  close_ms = elapsed_ms (started_ns);
  if (close == NULL)
    return FALSE;

  started_ns = bench_now_ns ();
  z = till_shift_z_report (bench->store, bench->journal, bench->user, NULL, error);
  z_ms = elapsed_ms (started_ns);
  if (z == NULL)
    return FALSE;

  g_print ("bench: shift_sales %" G_GINT64_FORMAT " sales (returns %" G_GINT64_FORMAT
           ", drawer openings %" G_GINT64_FORMAT ")\n",
           close->totals.sales.count, close->totals.returns.count,
           close->totals.drawer_opens.count);
  g_print ("bench: shift_x_report %.3f ms\n", x_ms);
  g_print ("bench: shift_close_10k_sales %.3f ms (target <= %.0f ms)\n", close_ms, TARGET_CLOSE_MS);
  g_print ("bench: shift_z_report %.3f ms\n", z_ms);
  g_print ("bench: shift_totals_full_scan %.3f ms\n", scan_ms);
  return TRUE;
}

static void
remove_store_files (const char *dir, const char *db_path, const char *key_path)
{
  static const char *const suffixes[] = { "-wal", "-shm", ".lock" };

  g_unlink (key_path);
  g_unlink (db_path);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261123);
  const char *parent = argc > 1                                       ? argv[1]
                       : g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm"
                                                                      : NULL;
  Bench       bench = { 0 };
  gboolean    ok;

  if (parent != NULL)
    {
      dir = g_build_filename (parent, "opentill-bench-XXXXXX", NULL);
      if (g_mkdtemp (dir) == NULL)
        g_clear_pointer (&dir, g_free);
    }
  else
    dir = g_dir_make_tmp ("opentill-bench-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("Cannot make a scratch directory: %s\n", error ? error->message : "");
      return EXIT_FAILURE;
    }
  db_path = g_build_filename (dir, "till.db", NULL);
  key_path = g_build_filename (dir, "journal.key", NULL);

  store = till_store_open (db_path, &error);
  if (store == NULL)
    goto failed;
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  if (journal == NULL || !till_demo_populate (store, N_SKUS, 20261123, &error))
    goto failed;
  /* The manager: no refund limit, may drop cash and accept a variance. */
  user = till_user_authenticate (store, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN, &error);
  if (user == NULL)
    goto failed;
  cart = till_cart_new (store, catalog);
  bench = (Bench){ store, catalog, journal, cart, user, NULL, rand };
  products = load_products (&bench, &error);
  if (products == NULL || products->len == 0)
    goto failed;
  bench.products = products;

  ok = run (&bench, &error);
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  remove_store_files (dir, db_path, key_path);
  if (!ok)
    goto failed;
  return EXIT_SUCCESS;

failed:
  g_printerr ("bench-shift-close: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}
