/* test-ui-stock.c: /app/ui/stock: the real till under Xvfb on a demo store.
 * A product whose lower limit is above its stock shows as low on the alert
 * list; a stocktake scanned on the page (one product twice, one count keyed)
 * shows its variance report and, posted by the manager, leaves each
 * product's stock at its count with a stocktake movement; receiving without
 * an order raises stock, a transfer out lowers it; reorder suggestions list and become a purchase
 * order; a cashier posting a stocktake gets the supervisor prompt, and the
 * manager's approval posts it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-stock-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 11
#define WAIT_MS TILL_TEST_WAIT_MS
#define OUTPUT_DIR "stock"
#define N_PRODUCTS 4

typedef struct
{
  gint64 id;
  char  *barcode;
  char  *sku;
} Product;

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  Product          products[N_PRODUCTS]; /* counted goods with an EAN-13 each */
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillStockView   *view;
} Fixture;

static TillStockView *
find_stock_view (GtkWidget *widget)
{
  if (TILL_IS_STOCK_VIEW (widget))
    return TILL_STOCK_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TillStockView *found = find_stock_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Distinct counted products with a 13-digit barcode, cheapest ids first. */
static void
pick_products (Fixture *fixture, TillStore *store)
{
  sqlite3_stmt *stmt = NULL;
  guint         n = 0;

  ck_assert_int_eq (
      sqlite3_prepare_v2 (till_store_get_db (store),
                          "SELECT p.id, p.sku, min (b.code) FROM product p JOIN barcode b "
                          "ON b.product_id = p.id WHERE p.active AND NOT p.weighed "
                          "AND length (b.code) = 13 GROUP BY p.id ORDER BY p.id LIMIT ?",
                          -1, &stmt, NULL),
      SQLITE_OK);
  sqlite3_bind_int (stmt, 1, N_PRODUCTS);
  while (sqlite3_step (stmt) == SQLITE_ROW && n < N_PRODUCTS)
    {
      fixture->products[n].id = sqlite3_column_int64 (stmt, 0);
      fixture->products[n].sku = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      fixture->products[n].barcode = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      n++;
    }
  sqlite3_finalize (stmt);
  ck_assert_uint_eq (n, N_PRODUCTS);
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n", fixture->db_path);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  pick_products (fixture, store);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->view = find_stock_view (GTK_WIDGET (fixture->window));
  ck_assert_ptr_nonnull (fixture->view);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  for (guint i = 0; i < N_PRODUCTS; i++)
    {
      g_free (fixture->products[i].barcode);
      g_free (fixture->products[i].sku);
    }
}

static TillStore *
get_store (Fixture *fixture)
{
  return till_session_get_store (fixture->session);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static void
screenshot (Fixture *fixture, const char *name)
{
  till_test_save_screenshot_in (GTK_WIDGET (fixture->window), OUTPUT_DIR, name);
}

static gint64
level_of (Fixture *fixture, gint64 product_id)
{
  g_autoptr (GError) error = NULL;
  gint64 level = till_stock_get_level (get_store (fixture), product_id, &error);

  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  return level;
}

/* The page says no error (what it says is in the failure). */
static void
assert_no_error (Fixture *fixture)
{
  gboolean    is_error = TRUE;
  const char *message = till_stock_view_get_message (fixture->view, &is_error);

  ck_assert_msg (!is_error, "the page shows an error: %s", message);
}

/* The row of @list whose first cells include @text, or NULL. */
static char *
find_row (Fixture *fixture, const char *list, const char *text)
{
  g_auto (GStrv) rows = till_stock_view_dup_rows (fixture->view, list);

  for (guint i = 0; rows[i] != NULL; i++)
    if (strstr (rows[i], text) != NULL)
      return g_strdup (rows[i]);
  return NULL;
}

static guint
n_rows (Fixture *fixture, const char *list)
{
  g_auto (GStrv) rows = till_stock_view_dup_rows (fixture->view, list);

  return g_strv_length (rows);
}

static void
open_stock_page (Fixture *fixture)
{
  activate (fixture, "win.stock", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "stock");
}

/* A lower limit above the product's stock: it is low, on the alert list. */
static void
check_alert (Fixture *fixture)
{
  const Product *product = &fixture->products[0];
  g_autoptr (TillUser) manager =
      till_user_lookup (get_store (fixture), TILL_DEMO_MANAGER_CODE, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *row = NULL;
  TillStockLimits  limits = { 0 };
  guint            low = 0, over = 0;

  ck_assert_ptr_nonnull (manager);
  limits.lower = MAX (level_of (fixture, product->id), 0) + 5 * TILL_QUANTITY_ONE;
  limits.upper = -1;
  limits.lead_time_days = 2;
  limits.pack_size = 6 * TILL_QUANTITY_ONE;
  limits.supplier = (char *) "康师傅";
  ck_assert_msg (till_stock_set_limits (get_store (fixture),
                                        till_session_get_journal (fixture->session), manager,
                                        product->id, &limits, NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert (till_stock_count_alerts (get_store (fixture), &low, &over, &error));
  ck_assert_uint_ge (low, 1);

  /* The sale screen shows the alert; tapping it lists the alerts. */
  activate (fixture, "stock.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
  {
    g_autofree char *expected =
        over == 0 ? g_strdup_printf (_ ("Low stock: %u"), low)
                  : g_strdup_printf (_ ("Low stock: %1$u · over: %2$u"), low, over);

    ck_assert_ptr_nonnull (till_window_get_stock_alert_text (fixture->window));
    ck_assert_str_eq (till_window_get_stock_alert_text (fixture->window), expected);
  }
  screenshot (fixture, "home-alert.png");
  activate (fixture, "win.stock-alerts", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "stock");
  ck_assert_str_eq (till_stock_view_get_section (fixture->view), "stock");
  row = find_row (fixture, "stock", product->sku);
  ck_assert_msg (row != NULL, "%s is not on the alert list", product->sku);
  ck_assert_msg (strstr (row, _ ("● Low")) != NULL, "not shown as low: %s", row);
  screenshot (fixture, "alert.png");

  /* Over-stock products stay off the low list. */
  activate (fixture, "stock.filter", g_variant_new_string ("over"));
  g_clear_pointer (&row, g_free);
  row = find_row (fixture, "stock", product->sku);
  ck_assert_ptr_null (row);
  activate (fixture, "stock.filter", g_variant_new_string ("low"));
  row = find_row (fixture, "stock", product->sku);
  ck_assert_ptr_nonnull (row);

  /* Its detail: the limits as saved, and an adjustment with its reason. */
  activate (fixture, "stock.select", g_variant_new_int64 (product->id));
  {
    gint64 before = level_of (fixture, product->id);

    activate (fixture, "stock.adjust", g_variant_new ("(xs)", (gint64) 2000, "found on shelf"));
    assert_no_error (fixture);
    ck_assert_int_eq (level_of (fixture, product->id), before + 2000);
    ck_assert_uint_ge (n_rows (fixture, "moves"), 1);
    {
      g_auto (GStrv) moves = till_stock_view_dup_rows (fixture->view, "moves");

      ck_assert_msg (strstr (moves[0], "+2") != NULL, "newest movement: %s", moves[0]);
    }
  }
  screenshot (fixture, "detail.png");
}

/* Begin, scan three products (the second twice), key a count for the
 * third, read the variance report, post as the manager. */
static void
check_stocktake (Fixture *fixture)
{
  const Product *counted[3] = { &fixture->products[1], &fixture->products[2],
                                &fixture->products[3] };
  const gint64   counts[3] = { 1000, 2000, 7000 };
  gint64         before[3];
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;

  for (guint i = 0; i < 3; i++)
    before[i] = level_of (fixture, counted[i]->id);
  activate (fixture, "stock.section", g_variant_new_string ("stocktake"));
  activate (fixture, "stock.stocktake-begin", g_variant_new_int64 (0));
  assert_no_error (fixture);
  uuid = till_stock_get_counting_stocktake (get_store (fixture), &error);
  ck_assert_msg (uuid != NULL, "no stocktake counting: %s", error ? error->message : "");

  activate (fixture, "stock.count", g_variant_new_string (counted[0]->barcode));
  activate (fixture, "stock.count", g_variant_new_string (counted[1]->barcode));
  /* A scanner's code on this page is a count too. */
  till_window_take_scan (fixture->window, counted[1]->barcode);
  activate (fixture, "stock.count", g_variant_new_string (counted[2]->barcode));
  activate (fixture, "stock.count-set", g_variant_new ("(sx)", counted[2]->barcode, counts[2]));
  assert_no_error (fixture);
  ck_assert_uint_eq (n_rows (fixture, "counts"), 3);
  {
    g_autofree char *row = find_row (fixture, "counts", counted[1]->sku);

    ck_assert_ptr_nonnull (row);
    /* SKU, name, counted 2, expected as booked */
    ck_assert_msg (strstr (row, "\t2\t") != NULL, "the double scan: %s", row);
  }
  ck_assert_str_ne (till_stock_view_get_stocktake_summary (fixture->view), "");
  screenshot (fixture, "stocktake-variance.png");

  activate (fixture, "stock.stocktake-post", NULL);
  ck_assert_ptr_null (till_stock_view_get_override_dialog (fixture->view));
  assert_no_error (fixture);
  {
    g_autofree char *counting = till_stock_get_counting_stocktake (get_store (fixture), &error);

    ck_assert_ptr_null (counting);
  }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GPtrArray) moves = NULL;
      gboolean found = FALSE;

      ck_assert_int_eq (level_of (fixture, counted[i]->id), counts[i]);
      if (before[i] == counts[i])
        continue;
      moves = till_stock_list_moves (get_store (fixture), counted[i]->id, 10, &error);
      ck_assert_ptr_nonnull (moves);
      for (guint j = 0; j < moves->len; j++)
        {
          TillStockMove *move = g_ptr_array_index (moves, j);

          found = found || (move->reason == TILL_STOCK_REASON_STOCKTAKE &&
                            move->delta == counts[i] - before[i]);
        }
      ck_assert_msg (found, "no stocktake movement for %s", counted[i]->sku);
    }
  screenshot (fixture, "stocktake-posted.png");
}

/* Goods in without an order: two scans of one product, one receipt. */
static void
check_receiving (Fixture *fixture)
{
  const Product *product = &fixture->products[1];
  gint64         before = level_of (fixture, product->id);

  activate (fixture, "stock.section", g_variant_new_string ("receiving"));
  activate (fixture, "stock.receive-scan", g_variant_new_string (product->barcode));
  activate (fixture, "stock.receive-scan", g_variant_new_string (product->barcode));
  ck_assert_uint_eq (n_rows (fixture, "receive"), 1);
  screenshot (fixture, "receiving.png");
  activate (fixture, "stock.receive", NULL);
  assert_no_error (fixture);
  ck_assert_int_eq (level_of (fixture, product->id), before + 2000);
  ck_assert_uint_eq (n_rows (fixture, "receive"), 0);
  screenshot (fixture, "received.png");
}

/* One unit out to another store. */
static void
check_transfer (Fixture *fixture)
{
  const Product *product = &fixture->products[2];
  gint64         before = level_of (fixture, product->id);

  activate (fixture, "stock.section", g_variant_new_string ("transfers"));
  activate (fixture, "stock.transfer-form", g_variant_new ("(sss)", "out", "S002", ""));
  activate (fixture, "stock.transfer-scan", g_variant_new_string (product->barcode));
  ck_assert_uint_eq (n_rows (fixture, "transfer"), 1);
  screenshot (fixture, "transfer.png");
  activate (fixture, "stock.transfer", NULL);
  assert_no_error (fixture);
  ck_assert_int_eq (level_of (fixture, product->id), before - TILL_QUANTITY_ONE);
  ck_assert_uint_eq (n_rows (fixture, "transfer"), 0);
}

/* The low product needs ordering; the suggestions become an order. */
static void
check_reorder (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;

  before = till_stock_list_purchase_orders (get_store (fixture), FALSE, &error);
  ck_assert_ptr_nonnull (before);
  activate (fixture, "stock.section", g_variant_new_string ("reorder"));
  activate (fixture, "stock.reorder-refresh", NULL);
  assert_no_error (fixture);
  ck_assert_uint_ge (n_rows (fixture, "reorder"), 1);
  {
    g_autofree char *row = find_row (fixture, "reorder", "康师傅");

    ck_assert_msg (row != NULL, "the low product is not suggested");
  }
  screenshot (fixture, "reorder.png");
  activate (fixture, "stock.create-orders", NULL);
  assert_no_error (fixture);
  after = till_stock_list_purchase_orders (get_store (fixture), FALSE, &error);
  ck_assert_ptr_nonnull (after);
  ck_assert_uint_gt (after->len, before->len);
  ck_assert_uint_ge (n_rows (fixture, "orders"), 1);
  screenshot (fixture, "orders.png");

  /* The order received in full: its line comes prefilled. */
  {
    TillPurchaseOrder *order = g_ptr_array_index (after, 0);
    gint64             product_id = g_array_index (order->lines, TillStockLine, 0).product_id;
    gint64             quantity = g_array_index (order->lines, TillStockLine, 0).quantity;
    gint64             level = level_of (fixture, product_id);
    g_autoptr (TillPurchaseOrder) received = NULL;

    ck_assert_int_eq (product_id, fixture->products[0].id);
    activate (fixture, "stock.section", g_variant_new_string ("receiving"));
    activate (fixture, "stock.receive-order", g_variant_new_string (order->uuid));
    ck_assert_uint_eq (n_rows (fixture, "receive"), 1);
    screenshot (fixture, "receiving-order.png");
    activate (fixture, "stock.receive", NULL);
    assert_no_error (fixture);
    ck_assert_int_eq (level_of (fixture, product_id), level + quantity);
    received = till_stock_load_purchase_order (get_store (fixture), order->uuid, &error);
    ck_assert_ptr_nonnull (received);
    ck_assert_int_eq (received->state, TILL_PURCHASE_ORDER_RECEIVED);
  }
}

START_TEST (test_stock_manager)
{
  Fixture fixture = { 0 };

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  open_stock_page (&fixture);
  screenshot (&fixture, "stock.png");
  check_alert (&fixture);
  check_stocktake (&fixture);
  check_receiving (&fixture);
  check_transfer (&fixture);
  check_reorder (&fixture);
  fixture_teardown (&fixture);
}
END_TEST

static gboolean
no_override_dialog (gpointer data)
{
  return till_stock_view_get_override_dialog (data) == NULL;
}

/* A cashier may count but not post: the supervisor approves on the spot. */
START_TEST (test_stock_cashier_post)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autofree char    *uuid = NULL;
  TillOverrideDialog *dialog;

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  manager = till_user_lookup (get_store (&fixture), TILL_DEMO_MANAGER_CODE, &error);
  ck_assert_ptr_nonnull (manager);
  uuid = till_stock_begin_stocktake (
      get_store (&fixture), till_session_get_journal (fixture.session), manager, 0, &error);
  ck_assert_msg (uuid != NULL, "%s", error ? error->message : "");

  open_stock_page (&fixture);
  activate (&fixture, "stock.section", g_variant_new_string ("stocktake"));
  activate (&fixture, "stock.count", g_variant_new_string (fixture.products[0].barcode));
  assert_no_error (&fixture);
  ck_assert_uint_eq (n_rows (&fixture, "counts"), 1);

  activate (&fixture, "stock.stocktake-post", NULL);
  dialog = till_stock_view_get_override_dialog (fixture.view);
  ck_assert_msg (dialog != NULL, "no supervisor prompt: %s",
                 till_stock_view_get_message (fixture.view, NULL));
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  {
    g_autofree char *counting = till_stock_get_counting_stocktake (get_store (&fixture), NULL);

    ck_assert_ptr_nonnull (counting); /* nothing posted yet */
  }
  till_test_save_screenshot_in (GTK_WIDGET (dialog), OUTPUT_DIR, "cashier-override.png");
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture.view, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
  assert_no_error (&fixture);
  {
    g_autofree char *counting = till_stock_get_counting_stocktake (get_store (&fixture), &error);

    ck_assert_ptr_null (counting);
  }
  ck_assert_int_eq (level_of (&fixture, fixture.products[0].id), TILL_QUANTITY_ONE);
  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_stock_suite (void)
{
  Suite *suite = suite_create ("/app/ui/stock");
  TCase *tcase = tcase_create ("/app/ui/stock");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_stock_manager);
  tcase_add_test (tcase, test_stock_cashier_post);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_stock_suite ());
}
