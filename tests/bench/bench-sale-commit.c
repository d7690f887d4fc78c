/* bench-sale-commit.c: how long the one transaction that records a cash sale takes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo store with 2,000 SKUs (till_demo_populate), then 1,000 cash sales of 5 random lines each
 * through the real API (till_cart_add_product, till_sale_commit_cash). Only the commit is timed for
 * the latency figures; the rate counts whole sales (adding the lines, each journaled, and the
 * commit). The database lives in $TMPDIR (or the first argument): put it on the till's real disk to
 * measure fsync honestly.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "till-core.h"

#include "bench-util.h"

#define N_SKUS 2000
#define N_SALES 1000
#define LINES_PER_SALE 5
#define TARGET_P99_MS 5.0

/* The demo store's active products, to pick lines from. */
static GPtrArray *
load_products (TillStore *store, TillCatalog *catalog, GError **error)
{
  g_autoptr (GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT id FROM product WHERE active", error);

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
          till_catalog_lookup_id (catalog, g_array_index (ids, gint64, i), error);

      if (product == NULL)
        return NULL;
      g_ptr_array_add (products, product);
    }
  return g_steal_pointer (&products);
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
  g_autoptr (TillUser) cashier = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GArray) commit_us = g_array_sized_new (FALSE, FALSE, sizeof (gint64), N_SALES);
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240601);
  gint64 started_us;
  gint64 elapsed_us;
  gint64 sum_us = 0;
  gint64 bad_seq = 0;
  double p99_ms;

  if (argc > 1)
    {
      dir = g_build_filename (argv[1], "opentill-bench-XXXXXX", NULL);
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
  if (journal == NULL)
    goto failed;
  if (!till_demo_populate (store, N_SKUS, 20240601, &error))
    goto failed;
  cashier = till_user_authenticate (store, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN, &error);
  if (cashier == NULL)
    goto failed;
  products = load_products (store, catalog, &error);
  if (products == NULL || products->len == 0)
    goto failed;

  cart = till_cart_new (store, catalog);
  started_us = g_get_monotonic_time ();
  for (guint sale_index = 0; sale_index < N_SALES; sale_index++)
    {
      g_autoptr (TillSale) sale = NULL;
      gint64 before_us;
      gint64 took_us;

      for (guint line = 0; line < LINES_PER_SALE; line++)
        {
          TillProduct *product =
              products->pdata[g_rand_int_range (rand, 0, (gint32) products->len)];
          gint64 quantity = till_product_get_weighed (product)
                                ? g_rand_int_range (rand, 100, 2000)
                                : TILL_QUANTITY_ONE * g_rand_int_range (rand, 1, 4);

          if (till_cart_add_product (cart, product, quantity, &error) == NULL)
            goto failed;
        }

      before_us = g_get_monotonic_time ();
      sale = till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart) + 10000,
                                    &error);
      took_us = g_get_monotonic_time () - before_us;
      if (sale == NULL)
        goto failed;
      g_array_append_val (commit_us, took_us);
      sum_us += took_us;
      /* What the till does once the receipt is out and the screen is idle. */
      if (!till_store_checkpoint_if_due (store, &error))
        goto failed;
    }
  elapsed_us = g_get_monotonic_time () - started_us;

  if (!till_journal_verify (journal, &bad_seq, &error))
    goto failed;

  bench_sort (commit_us);
  p99_ms = bench_percentile (commit_us, 0.99) / 1000.0;
  g_print ("bench: sale_commit_p50 %.3f ms\n", bench_percentile (commit_us, 0.50) / 1000.0);
  g_print ("bench: sale_commit_p99 %.3f ms (target <= %.0f ms)\n", p99_ms, TARGET_P99_MS);
  g_print ("bench: sale_commit_max %.3f ms\n",
           g_array_index (commit_us, gint64, commit_us->len - 1) / 1000.0);
  g_print ("bench: sale_commit_mean %.3f ms\n", (double) sum_us / N_SALES / 1000.0);
  g_print ("bench: sales_per_second %.1f sales/s (whole sales: %d journaled cart adds + commit)\n",
           N_SALES / (elapsed_us / (double) G_USEC_PER_SEC), LINES_PER_SALE);
  g_print ("bench: commits_per_second %.1f commits/s\n",
           N_SALES / (sum_us / (double) G_USEC_PER_SEC));

  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  g_unlink (key_path);
  g_unlink (db_path);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);
    g_autofree char *lock = g_strconcat (db_path, ".lock", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (lock);
  }
  g_rmdir (dir);
  return EXIT_SUCCESS;

failed:
  g_printerr ("bench-sale-commit: %s\n", error ? error->message : "failed");
  return EXIT_FAILURE;
}
