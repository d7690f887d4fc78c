/* sync-till.c: a till process for the fault tests, which get to kill it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Usage: sync-till DIR TOTAL_SALES [SYNC_EVERY [TIMEOUT_S]]
 *
 * Opens the till database DIR/till.db (made and enrolled by the test: its
 * products T001…T005 and cashier 1001/1234), sells until the database holds
 * TOTAL_SALES sales (so a restarted till goes on where the killed one
 * stopped), runs till_sync_run every SYNC_EVERY sales (default 50), then
 * syncs until nothing is queued. It prints one line per step:
 *
 *   sale N            the database now holds N sales
 *   sync start        a sync round begins (a push is on its way)
 *   sync ok PUSHED    the round ended; HQ acknowledged PUSHED documents
 *   sync error TEXT   the round failed (it is retried)
 *   drained           nothing is queued: the process exits 0
 *
 * The test SIGKILLs it at any of these moments. */
#define G_LOG_DOMAIN "sync-till"

#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "till-core.h"
#include "till-sync.h"

static const char *const skus[] = { "T001", "T002", "T003", "T004", "T005" };

static gint64
query_int (TillStore *store, const char *sql, const char *text_arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  if (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    return -1;
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
add_sku (TillStore   *store,
         TillCatalog *catalog,
         TillCart    *cart,
         const char  *sku,
         gint64       quantity,
         GError     **error)
{
  gint64 id = query_int (store, "SELECT id FROM product WHERE sku = ?", sku);
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, error);

  return product != NULL && till_cart_add_product (cart, product, quantity, error) != NULL;
}

static void
sync_round (TillStore *store, TillJournal *journal, guint timeout_s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncClient) client = NULL;
  guint pushed = 0;

  printf ("sync start\n");
  fflush (stdout);
  client = till_sync_client_new_for_store (store, timeout_s, &error);
  if (client != NULL && till_sync_run (store, journal, client, &pushed, &error))
    printf ("sync ok %u\n", pushed);
  else
    printf ("sync error %s\n", error->message);
  fflush (stdout);
  /* Between rounds the till is idle, where the app checkpoints too: the
   * write-ahead log must not grow until a sale's commit has to do it. */
  g_clear_error (&error);
  if (!till_store_checkpoint_if_due (store, &error))
    printf ("checkpoint error %s\n", error->message);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *key_path = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) cashier = NULL;
  g_autoptr (TillCart) cart = NULL;
  gint64 total;
  gint64 made;
  guint  sync_every = 50;
  guint  timeout_s = 10;

  if (argc < 3 || argc > 5)
    {
      g_printerr ("usage: sync-till DIR TOTAL_SALES [SYNC_EVERY [TIMEOUT_S]]\n");
      return 2;
    }
  total = g_ascii_strtoll (argv[2], NULL, 10);
  if (argc > 3)
    sync_every = MAX (1, (guint) atoi (argv[3]));
  if (argc > 4)
    timeout_s = MAX (1, (guint) atoi (argv[4]));

  db_path = g_build_filename (argv[1], "till.db", NULL);
  key_path = g_build_filename (argv[1], "journal.key", NULL);
  store = till_store_open (db_path, &error);
  if (store == NULL)
    goto fail;
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key_path, &error);
  if (journal == NULL)
    goto fail;
  cashier = till_user_authenticate (store, "1001", "1234", &error);
  if (cashier == NULL)
    goto fail;
  /* A till killed mid-cart reopens with that cart, as the app does. */
  cart = till_cart_new (store, catalog);
  if (!till_cart_restore (cart, &error))
    goto fail;

  made = query_int (store, "SELECT count(*) FROM sale", NULL);
  while (made < total)
    {
      g_autoptr (TillSale) sale = NULL;
      guint k = (guint) made;

      if (!add_sku (store, catalog, cart, skus[k % 5], 1000 * (1 + k % 3), &error))
        goto fail;
      if (k % 4 == 0 && !add_sku (store, catalog, cart, skus[(k / 5 + 2) % 5], 1000, &error))
        goto fail;
      sale = till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error);
      if (sale == NULL)
        goto fail;
      made++;
      printf ("sale %" G_GINT64_FORMAT "\n", made);
      fflush (stdout);
      if (made % sync_every == 0)
        sync_round (store, journal, timeout_s);
    }

  for (guint round = 0; round < 200; round++)
    {
      if (query_int (store, "SELECT count(*) FROM outbox WHERE state <> 'acked'", NULL) == 0)
        {
          printf ("drained\n");
          fflush (stdout);
          return 0;
        }
      sync_round (store, journal, timeout_s);
      g_usleep (50000);
    }
  g_printerr ("sync-till: still not drained\n");
  return 1;

fail:
  g_printerr ("sync-till: %s\n", error != NULL ? error->message : "failed");
  return 1;
}
