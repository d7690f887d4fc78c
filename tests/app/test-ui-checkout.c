/* test-ui-checkout.c: /app/ui/checkout: the real till, in-process under Xvfb,
 * driven only through its actions: sign in, scan, pay cash, next customer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include <till-hw.h>
#include <till-printer-sim.h>

#include "till-application.h"
#include "till-override-dialog.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-app-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  char            *receipt_dir;
  TillApplication *app;
  TillWindow      *window;
  const char      *app_id; /* NULL: org.opentill.TillTest */
} Fixture;

/* ---- The till under test ---------------------------------------------------- */

static char *
single_text (TillStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
fixture_setup_files (Fixture *fixture)
{
  g_autofree char *config = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);

  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\n",
                            fixture->db_path, fixture->receipt_dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));
}

/* The small demo shop in the till's database, written before the till opens
 * it (the till takes the lock). */
static void
fill_demo_store (const char *db_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = till_store_open (db_path, &error);

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
}

static void
fixture_start_app (Fixture *fixture)
{
  fixture->window =
      till_test_start_till (fixture->app_id, fixture->config_path, FALSE, &fixture->app);
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
  g_free (fixture->receipt_dir);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

typedef struct
{
  const char *dir;
} ReceiptWait;

static gboolean
receipt_png_written (gpointer data)
{
  ReceiptWait *wait = data;
  g_autoptr (GDir) dir = g_dir_open (wait->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      return TRUE;
  return FALSE;
}

static gboolean
wal_checkpointed (gpointer data)
{
  return till_store_get_wal_pages (data) == 0;
}

/* Makes the till's write-ahead log longer than the till lets it stay, as a busy
 * day does. */
static void
grow_wal (TillStore *store)
{
  g_autoptr (GError) error = NULL;

  ck_assert (till_store_exec (store,
                              "CREATE TABLE IF NOT EXISTS test_ballast (data BLOB);"
                              "BEGIN;"
                              "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                              "WHERE i < 1200) INSERT INTO test_ballast SELECT randomblob (4000) "
                              "FROM n;"
                              "COMMIT;",
                              &error));
  ck_assert_int_gt (till_store_get_wal_pages (store), 1000);
}

static gboolean
no_override_dialog (gpointer data)
{
  return till_checkout_view_get_override_dialog (data) == NULL;
}

/* A cashier may not delete a line alone (issue 5): the demo manager approves. */
static void
delete_line_approved (Fixture *fixture)
{
  TillCheckoutView   *checkout = till_window_get_checkout_view (fixture->window);
  TillOverrideDialog *dialog;

  activate (fixture, "sale.delete-line", NULL);
  dialog = till_checkout_view_get_override_dialog (checkout);
  if (dialog == NULL)
    return;
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, checkout, WAIT_MS),
                 "the override dialog stayed open");
}

/* /app/ui/checkout/cash-sale */
START_TEST (test_cash_sale)
{
  Fixture fixture = { 0 };
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *barcode_a = NULL;
  g_autofree char *barcode_b = NULL;
  g_autofree char *unknown = NULL;
  g_autoptr (TillProduct) product_a = NULL;
  g_autoptr (TillProduct) product_b = NULL;
  g_autoptr (TillSale) last = NULL;
  g_autofree char  *expected_total = NULL;
  g_autofree char  *expected_change = NULL;
  TillSession      *session;
  TillCart         *cart;
  TillCheckoutView *checkout;
  TillPaymentView  *payment;
  gboolean          is_error = FALSE;
  const char       *status;
  gint64            subtotal;
  gint64            total;
  gint64            tendered;
  ReceiptWait       receipt_wait;

  fixture_setup_files (&fixture);

  /* A small demo shop, and two barcodes of two different counted products. */
  store = till_store_open (fixture.db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  barcode_a =
      single_text (store, "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 "
                          "ORDER BY p.id LIMIT 1");
  barcode_b =
      single_text (store, "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 "
                          "ORDER BY p.id DESC LIMIT 1");
  ck_assert_ptr_nonnull (barcode_a);
  ck_assert_ptr_nonnull (barcode_b);
  catalog = till_catalog_new (store);
  product_a = till_catalog_lookup_barcode (catalog, barcode_a, &error);
  ck_assert_ptr_nonnull (product_a);
  product_b = till_catalog_lookup_barcode (catalog, barcode_b, &error);
  ck_assert_ptr_nonnull (product_b);
  ck_assert_int_ne (till_product_get_id (product_a), till_product_get_id (product_b));
  /* A well-formed EAN-13 that no product carries. */
  for (int i = 0; unknown == NULL; i++)
    {
      g_autofree char *twelve = g_strdup_printf ("69999999%04d", i);
      g_autofree char *code = till_barcode_ean13_complete (twelve);
      g_autoptr (TillProduct) found = till_catalog_lookup_barcode (catalog, code, NULL);

      if (found == NULL)
        unknown = g_steal_pointer (&code);
    }
  g_clear_object (&catalog);
  g_clear_object (&store); /* the till takes the lock */

  fixture_start_app (&fixture);
  session = till_window_get_session (fixture.window);
  ck_assert_msg (session != NULL, "%s", till_application_get_startup_error (fixture.app));
  cart = till_session_get_cart (session);
  checkout = till_window_get_checkout_view (fixture.window);
  payment = till_window_get_payment_view (fixture.window);

  /* Sign in: a wrong PIN is refused on screen, the right one opens the sale. */
  ck_assert_str_eq (till_window_get_page (fixture.window), "login");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "01-login.png");
  activate (&fixture, "win.login", g_variant_new ("(ss)", TILL_DEMO_CASHIER_CODE, "0000"));
  ck_assert_str_eq (till_window_get_page (fixture.window), "login");
  ck_assert_str_ne (till_login_view_get_message (till_window_get_login_view (fixture.window)), "");
  ck_assert_ptr_null (till_session_get_user (session));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "01b-login-wrong-pin.png");
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  ck_assert_str_eq (till_user_get_code (till_session_get_user (session)), TILL_DEMO_CASHIER_CODE);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  /* Two known items. */
  activate (&fixture, "sale.scan", g_variant_new_string (barcode_a));
  activate (&fixture, "sale.scan", g_variant_new_string (barcode_b));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  status = till_checkout_view_get_status (checkout, &is_error);
  ck_assert_msg (!is_error, "unexpected error: %s", status);
  subtotal = till_product_get_price (product_a) + till_product_get_price (product_b);
  ck_assert_int_eq (till_cart_get_subtotal (cart), subtotal);
  total = till_money_apply_rounding (subtotal, till_cart_get_rounding_rule (cart));
  ck_assert_int_eq (till_cart_get_total (cart), total);
  expected_total = till_ui_format_money (total);
  ck_assert_str_eq (till_checkout_view_get_total_text (checkout), expected_total);
  /* The last scanned line is the selected one (the Quantity key acts on it). */
  ck_assert_uint_eq (till_checkout_view_get_selected (checkout), 1);
  /* The demo store has no HQ: no sync indicator takes room in the top bar. */
  ck_assert_ptr_null (till_window_get_sync_status_text (fixture.window));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "02-checkout.png");

  /* The unknown barcode: an error on screen, nothing added. */
  activate (&fixture, "sale.scan", g_variant_new_string (unknown));
  status = till_checkout_view_get_status (checkout, &is_error);
  ck_assert (is_error);
  ck_assert_msg (strstr (status, unknown) != NULL, "status does not name the code: %s", status);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_cart_get_total (cart), total);
  ck_assert_str_eq (till_checkout_view_get_total_text (checkout), expected_total);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "03-unknown-barcode.png");

  /* Pay: the amount due is the cart's total. */
  activate (&fixture, "sale.pay", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "payment");
  ck_assert_str_eq (till_payment_view_get_due_text (payment), expected_total);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "04-payment.png");

  grow_wal (till_session_get_store (session));

  /* A ￥100 note (or enough ￥100 notes for a dear basket). */
  tendered = ((total + 9999) / 10000) * 10000;
  activate (&fixture, "pay.cash", g_variant_new_int64 (tendered));
  ck_assert_ptr_nonnull (till_payment_view_get_sale (payment));
  expected_change = till_ui_format_money (tendered - total);
  ck_assert_str_eq (till_payment_view_get_change_text (payment), expected_change);

  /* The sale is in the database, as shown. */
  last = till_sale_load_last (till_session_get_store (session), &error);
  ck_assert_msg (last != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (last),
                    till_sale_get_uuid (till_payment_view_get_sale (payment)));
  ck_assert_int_eq (till_sale_get_total (last), total);
  ck_assert_int_eq (till_sale_get_tendered (last), tendered);
  ck_assert_int_eq (till_sale_get_change (last), tendered - total);
  ck_assert_uint_eq (till_sale_get_n_lines (last), 2);
  ck_assert_str_eq (till_sale_get_cashier_code (last), TILL_DEMO_CASHIER_CODE);
  /* The cart moved on. */
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  /* The simulated printer rendered the receipt. */
  receipt_wait.dir = fixture.receipt_dir;
  ck_assert_msg (till_test_wait_until (receipt_png_written, &receipt_wait, WAIT_MS),
                 "no receipt PNG in %s", fixture.receipt_dir);
  /* Once idle after the sale, the till checkpointed the log it had let grow. */
  ck_assert_msg (till_test_wait_until (wal_checkpointed, till_session_get_store (session), WAIT_MS),
                 "the write-ahead log still holds %d pages",
                 till_store_get_wal_pages (till_session_get_store (session)));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "05-change.png");

  /* Next customer. */
  activate (&fixture, "sale.new", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  {
    g_autofree char *zero = till_ui_format_money (0);
    ck_assert_str_eq (till_checkout_view_get_total_text (checkout), zero);
  }
  /* The last sale's error is not left on the next customer's screen. */
  till_checkout_view_get_status (checkout, &is_error);
  ck_assert (!is_error);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "06-new-sale.png");

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/checkout/keypad-errors: keypad entries that make no sense are refused
 * on screen and change nothing. */
START_TEST (test_keypad_errors)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  TillSession      *session;
  TillCart         *cart;
  TillCheckoutView *checkout;
  gboolean          is_error = FALSE;

  fixture_setup_files (&fixture);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  session = till_window_get_session (fixture.window);
  cart = till_session_get_cart (session);
  checkout = till_window_get_checkout_view (fixture.window);

  /* Nothing to sell before sign-in. */
  ck_assert (!till_window_activate_action (fixture.window, "sale.pay", NULL));
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  /* Pay is off on an empty cart. */
  ck_assert (!till_window_activate_action (fixture.window, "sale.pay", NULL));

  activate (&fixture, "sale.add-plu", g_variant_new_string (""));
  till_checkout_view_get_status (checkout, &is_error);
  ck_assert (is_error);
  activate (&fixture, "sale.add-plu", g_variant_new_string ("12a"));
  till_checkout_view_get_status (checkout, &is_error);
  ck_assert (is_error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  /* A quick key adds, a zero quantity is refused, a real one is taken. */
  {
    g_autoptr (GPtrArray) popular =
        till_catalog_list_popular (till_session_get_catalog (session), 1, &error);
    TillProduct *product;
    gint64       before;

    ck_assert_ptr_nonnull (popular);
    ck_assert_uint_ge (popular->len, 1);
    product = g_ptr_array_index (popular, 0);
    activate (&fixture, "sale.add-product", g_variant_new_int64 (till_product_get_id (product)));
    ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);

    before = till_cart_line_get_quantity (till_cart_get_line (cart, 0));
    activate (&fixture, "sale.select-line", g_variant_new_uint32 (0));
    activate (&fixture, "sale.set-quantity", g_variant_new_string ("0"));
    till_checkout_view_get_status (checkout, &is_error);
    ck_assert (is_error);
    ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 0)), before);
    activate (&fixture, "sale.set-quantity", g_variant_new_string ("3"));
    till_checkout_view_get_status (checkout, &is_error);
    ck_assert (!is_error);
    ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 0)),
                      3 * TILL_QUANTITY_ONE);
    /* A cashier may change a quantity, and the change is on the record. */
    {
      g_autofree char *n_changes =
          single_text (till_session_get_store (session),
                       "SELECT count(*) FROM journal WHERE kind = 'quantity-change'");

      ck_assert_str_eq (n_changes, "1");
    }
  }

  /* Weighed goods: without a scale the weight is keyed, never guessed. */
  {
    g_autofree char *plu = single_text (till_session_get_store (session),
                                        "SELECT plu FROM product WHERE weighed AND active "
                                        "AND popularity > 0 ORDER BY popularity LIMIT 1");
    g_autofree char *keyed = g_strdup_printf ("0.456×%s", plu);
    g_autoptr (TillProduct) weighed =
        till_catalog_lookup_plu (till_session_get_catalog (session), plu, &error);
    TillKeypad *keypad = till_checkout_view_get_keypad (checkout);
    guint       n_lines = till_cart_get_n_lines (cart);

    ck_assert_ptr_nonnull (weighed);
    activate (&fixture, "sale.add-plu", g_variant_new_string (plu));
    till_checkout_view_get_status (checkout, &is_error);
    ck_assert (is_error);
    activate (&fixture, "sale.add-product", g_variant_new_int64 (till_product_get_id (weighed)));
    till_checkout_view_get_status (checkout, &is_error);
    ck_assert (is_error);
    ck_assert_uint_eq (till_cart_get_n_lines (cart), n_lines);
    till_test_save_screenshot (GTK_WIDGET (fixture.window), "10-weight-needed.png");

    activate (&fixture, "sale.add-plu", g_variant_new_string (keyed));
    ck_assert_uint_eq (till_cart_get_n_lines (cart), n_lines + 1);
    ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, n_lines)), 456);
    /* Gross: the demo's evening promotion on fresh food may apply. */
    ck_assert_int_eq (till_cart_line_get_gross_amount (till_cart_get_line (cart, n_lines)),
                      till_money_line_amount (till_product_get_price (weighed), 456));

    /* The keypad's × then the quick key: 0.5 kg, and the keypad is cleared. */
    till_keypad_set_text (keypad, "0.5*");
    activate (&fixture, "sale.add-product", g_variant_new_int64 (till_product_get_id (weighed)));
    ck_assert_uint_eq (till_cart_get_n_lines (cart), n_lines + 2);
    ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, n_lines + 1)), 500);
    ck_assert_str_eq (till_keypad_get_text (keypad), "");

    delete_line_approved (&fixture);
    activate (&fixture, "sale.select-line", g_variant_new_uint32 (n_lines));
    delete_line_approved (&fixture);
    ck_assert_uint_eq (till_cart_get_n_lines (cart), n_lines);
  }

  /* Too little cash: refused, the cart kept. */
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.cash", g_variant_new_int64 (1));
  ck_assert_ptr_null (till_payment_view_get_sale (till_window_get_payment_view (fixture.window)));
  ck_assert_str_ne (till_payment_view_get_message (till_window_get_payment_view (fixture.window)),
                    "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  activate (&fixture, "pay.cancel", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  delete_line_approved (&fixture);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/checkout/storage-failure: a database that cannot be written is a clear
 * message on screen, and nothing is lost: the cart stays as it was, no sale is
 * half-recorded, and the same sale goes through once the disk is back. */
START_TEST (test_storage_failure)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) popular = NULL;
  g_autoptr (TillSale) none = NULL;
  TillSession      *session;
  TillStore        *till_store;
  TillCart         *cart;
  TillCheckoutView *checkout;
  TillPaymentView  *payment;
  gboolean          is_error = FALSE;
  gint64            total;

  fixture_setup_files (&fixture);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  session = till_window_get_session (fixture.window);
  till_store = till_session_get_store (session);
  cart = till_session_get_cart (session);
  checkout = till_window_get_checkout_view (fixture.window);
  payment = till_window_get_payment_view (fixture.window);
  popular = till_catalog_list_popular (till_session_get_catalog (session), 2, &error);
  ck_assert_uint_eq (popular->len, 2);

  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  activate (&fixture, "sale.add-product",
            g_variant_new_int64 (till_product_get_id (popular->pdata[0])));
  total = till_cart_get_total (cart);

  /* The disk refuses every write from here on. */
  ck_assert (till_store_exec (till_store, "PRAGMA query_only = 1", &error));

  activate (&fixture, "sale.add-product",
            g_variant_new_int64 (till_product_get_id (popular->pdata[1])));
  ck_assert_str_ne (till_checkout_view_get_status (checkout, &is_error), "");
  ck_assert (is_error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (till_cart_get_total (cart), total);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "08-storage-error-scan.png");

  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.exact", NULL);
  ck_assert_ptr_null (till_payment_view_get_sale (payment));
  ck_assert_str_ne (till_payment_view_get_message (payment), "");
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  none = till_sale_load_last (till_store, &error);
  ck_assert_ptr_null (none);
  g_clear_error (&error);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "09-storage-error-pay.png");

  /* The disk is back: the same sale goes through, once. */
  ck_assert (till_store_exec (till_store, "PRAGMA query_only = 0", &error));
  activate (&fixture, "pay.exact", NULL);
  ck_assert_ptr_nonnull (till_payment_view_get_sale (payment));
  ck_assert_int_eq (till_sale_get_total (till_payment_view_get_sale (payment)), total);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/checkout/restart: a till that quits in the middle of a sale lets go
 * of its database, and started again finds the same sale on screen. */
START_TEST (test_restart)
{
  Fixture fixture = { 0 };
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) popular = NULL;
  g_autofree char *sale_uuid = NULL;
  TillSession     *session;
  TillCart        *cart;

  fixture_setup_files (&fixture);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  session = till_window_get_session (fixture.window);
  popular = till_catalog_list_popular (till_session_get_catalog (session), 2, &error);
  ck_assert_uint_eq (popular->len, 2);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  for (guint i = 0; i < popular->len; i++)
    activate (&fixture, "sale.add-product",
              g_variant_new_int64 (till_product_get_id (popular->pdata[i])));
  sale_uuid = g_strdup (till_cart_get_sale_uuid (till_session_get_cart (session)));

  /* Quit: the window goes, the session closes, the database is free. */
  gtk_window_destroy (GTK_WINDOW (fixture.window));
  fixture.window = NULL;
  till_application_close_session (fixture.app);
  g_clear_object (&fixture.app);
  store = till_store_open (fixture.db_path, &error);
  ck_assert_msg (store != NULL, "the database is still held: %s", error ? error->message : "");
  g_clear_object (&store);

  /* The first till's D-Bus object path stays exported in this process. */
  fixture.app_id = "org.opentill.TillTest.Restarted";
  fixture_start_app (&fixture);
  session = till_window_get_session (fixture.window);
  ck_assert_ptr_nonnull (session);
  cart = till_session_get_cart (session);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_str_eq (till_cart_get_sale_uuid (cart), sale_uuid);
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/checkout/locked-store: a second till on the same database shows why it
 * cannot start, instead of crashing or vanishing. */
START_TEST (test_locked_store)
{
  Fixture fixture = { 0 };
  g_autoptr (TillStore) holder = NULL;
  g_autoptr (GError) error = NULL;

  fixture_setup_files (&fixture);
  holder = till_store_open (fixture.db_path, &error);
  ck_assert_msg (holder != NULL, "%s", error ? error->message : "");

  fixture_start_app (&fixture);
  ck_assert_ptr_null (till_window_get_session (fixture.window));
  ck_assert_str_eq (till_window_get_page (fixture.window), "error");
  ck_assert_ptr_nonnull (till_application_get_startup_error (fixture.app));
  ck_assert_msg (strstr (till_application_get_startup_error (fixture.app), fixture.db_path) != NULL,
                 "the error does not name the database: %s",
                 till_application_get_startup_error (fixture.app));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "07-store-locked.png");

  fixture_teardown (&fixture);
}
END_TEST

/* ---- A printer that runs out of paper -------------------------------------
 *
 * flaky://printer: the simulated printer behind a switch the test throws. The
 * bytes that arrive are parsed by one TillPrinterSim for the whole test, so the
 * receipts can be counted and read. The worker thread writes, the test reads:
 * a mutex guards both. */

typedef enum
{
  FLAKY_OK,
  FLAKY_ABSENT,    /* nothing answers: open fails */
  FLAKY_PAPER_OUT, /* the printer refuses the job */
} FlakyMode;

static GMutex          flaky_lock;
static FlakyMode       flaky_mode;
static TillPrinterSim *flaky_sim;
static guint           flaky_opens;

static gpointer
flaky_open (GUri *uri, GError **error)
{
  FlakyMode mode;

  g_mutex_lock (&flaky_lock);
  mode = flaky_mode;
  flaky_opens++;
  g_mutex_unlock (&flaky_lock);
  if (mode == FLAKY_ABSENT)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No printer answers at flaky://printer");
      return NULL;
    }
  return GINT_TO_POINTER (1);
}

static gboolean
flaky_write_all (gpointer state, const guint8 *data, gsize len, GError **error)
{
  gboolean ok;

  g_mutex_lock (&flaky_lock);
  ok = flaky_mode == FLAKY_OK;
  if (ok)
    till_printer_sim_feed (flaky_sim, data, len);
  g_mutex_unlock (&flaky_lock);
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the printer is out of paper");
  return ok;
}

static void
flaky_free (gpointer state)
{
}

static const TillTransportBackend flaky_backend = {
  .scheme = "flaky",
  .open = flaky_open,
  .write_all = flaky_write_all,
  .free = flaky_free,
};

static void
flaky_setup (Fixture *fixture, FlakyMode mode)
{
  g_autofree char *config = NULL;

  flaky_sim = till_printer_sim_new (576);
  flaky_mode = mode;
  till_transport_register_backend (&flaky_backend);
  fixture_setup_files (fixture);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=flaky://printer?width=80\n",
                            fixture->db_path);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));
}

static void
flaky_set_mode (FlakyMode mode)
{
  g_mutex_lock (&flaky_lock);
  flaky_mode = mode;
  g_mutex_unlock (&flaky_lock);
}

static guint
flaky_n_receipts (void)
{
  guint n;

  g_mutex_lock (&flaky_lock);
  n = till_printer_sim_get_n_receipts (flaky_sim);
  g_mutex_unlock (&flaky_lock);
  return n;
}

/* Receipt @index as printed, one string. */
static char *
flaky_receipt_text (guint index)
{
  GString         *text = g_string_new (NULL);
  const GPtrArray *lines;

  g_mutex_lock (&flaky_lock);
  lines = till_printer_sim_get_receipt_lines (flaky_sim, index);
  for (guint i = 0; lines != NULL && i < lines->len; i++)
    g_string_append_printf (text, "%s\n", (const char *) lines->pdata[i]);
  g_mutex_unlock (&flaky_lock);
  return g_string_free (text, FALSE);
}

typedef struct
{
  guint wanted;
} ReceiptCount;

static gboolean
enough_receipts (gpointer data)
{
  return flaky_n_receipts () >= ((ReceiptCount *) data)->wanted;
}

static gboolean
monitor_in_trouble (gpointer data)
{
  return till_printer_monitor_get_state (data) == TILL_PRINTER_STATE_TROUBLE;
}

static gboolean
nothing_pending (gpointer data)
{
  return till_printer_monitor_get_n_pending (data) == 0 &&
         till_printer_monitor_get_state (data) == TILL_PRINTER_STATE_READY;
}

static gint64
single_int (TillStore *store, const char *sql, const char *text_arg)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (text_arg != NULL)
    sqlite3_bind_text (stmt, 1, text_arg, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Signs in and sells the most popular product for the exact amount. */
static TillSale *
sell_one (Fixture *fixture)
{
  TillSession *session = till_window_get_session (fixture->window);
  g_autoptr (GPtrArray) popular = NULL;
  g_autoptr (GError) error = NULL;
  TillSale *sale;

  popular = till_catalog_list_popular (till_session_get_catalog (session), 1, &error);
  ck_assert_ptr_nonnull (popular);
  if (till_session_get_user (session) == NULL)
    till_test_sign_in (fixture->window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  if (!g_str_equal (till_window_get_page (fixture->window), "checkout"))
    activate (fixture, "sale.new", NULL);
  activate (fixture, "sale.add-product",
            g_variant_new_int64 (till_product_get_id (popular->pdata[0])));
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  sale = till_payment_view_get_sale (till_window_get_payment_view (fixture->window));
  ck_assert_ptr_nonnull (sale);
  return g_object_ref (sale);
}

/* /app/ui/checkout/printer-trouble: with the printer out of paper the sale
 * completes and is in the database, the screen says why the receipt did not
 * print, the receipt waits in the queue with that reason, and it prints once
 * when the printer is back. */
START_TEST (test_printer_trouble)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) last = NULL;
  g_autofree char    *reason = NULL;
  g_autofree char    *printed = NULL;
  g_autofree char    *receipt_no = NULL;
  TillPrinterMonitor *monitor;
  TillStore          *till_store;
  ReceiptCount        one = { 1 };

  flaky_setup (&fixture, FLAKY_PAPER_OUT);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  monitor = till_application_get_printer_monitor (fixture.app);
  ck_assert_ptr_nonnull (monitor);
  till_store = till_session_get_store (till_window_get_session (fixture.window));

  sale = sell_one (&fixture);
  /* The sale is done and recorded, printer or not. */
  ck_assert_str_eq (till_window_get_page (fixture.window), "payment");
  last = till_sale_load_last (till_store, &error);
  ck_assert_msg (last != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_uuid (last), till_sale_get_uuid (sale));

  /* The screen says why. */
  ck_assert_msg (till_test_wait_until (monitor_in_trouble, monitor, WAIT_MS),
                 "the printer never failed");
  ck_assert_ptr_nonnull (strstr (till_printer_monitor_get_message (monitor), "out of paper"));
  ck_assert_ptr_nonnull (strstr (till_printer_monitor_get_message (monitor), "小票未打印"));
  ck_assert_ptr_nonnull (
      strstr (till_window_get_printer_status_text (fixture.window), "out of paper"));
  ck_assert_uint_ge (till_printer_monitor_get_n_pending (monitor), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "20-printer-out-of-paper.png");

  /* The receipt waits in the queue with the reason; the drawer opening is
   * recorded for the sale. */
  /* The sale's first job (the drawer pulse, then the receipt, in one lane with
   * the drawer on the printer) holds the reason. */
  reason = single_text (till_store, "SELECT last_error FROM print_job WHERE state = 'queued' "
                                    "ORDER BY id LIMIT 1");
  ck_assert_ptr_nonnull (reason);
  ck_assert_ptr_nonnull (strstr (reason, "out of paper"));
  ck_assert_int_eq (single_int (till_store,
                                "SELECT count(*) FROM print_job WHERE kind = 'receipt' "
                                "AND state = 'queued' AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  ck_assert_int_eq (single_int (till_store,
                                "SELECT count(*) FROM drawer_event WHERE reason = 'sale' "
                                "AND ref_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  ck_assert_uint_eq (flaky_n_receipts (), 0);

  /* The next customer is served while the printer is out. */
  activate (&fixture, "sale.new", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "21-printer-trouble-checkout.png");

  /* Paper in, retry: the receipt prints, once. */
  flaky_set_mode (FLAKY_OK);
  activate (&fixture, "win.print-retry", NULL);
  ck_assert_msg (till_test_wait_until (nothing_pending, monitor, WAIT_MS),
                 "the queue never emptied");
  ck_assert_msg (till_test_wait_until (enough_receipts, &one, WAIT_MS),
                 "the receipt never printed");
  {
    /* Let any second copy that would come arrive. */
    ReceiptCount two = { 2 };
    ck_assert (!till_test_wait_until (enough_receipts, &two, 500));
  }
  ck_assert_uint_eq (flaky_n_receipts (), 1);
  printed = flaky_receipt_text (0);
  receipt_no = till_sale_format_receipt_no (sale);
  ck_assert_msg (strstr (printed, receipt_no) != NULL, "receipt %s not on paper:\n%s", receipt_no,
                 printed);
  ck_assert_ptr_null (strstr (printed, "副本"));
  /* The drawer pulse ahead of it was tried again until the printer took it; the
   * receipt went out once. */
  ck_assert_int_eq (single_int (till_store,
                                "SELECT count(*) FROM print_job WHERE kind = 'receipt' "
                                "AND state = 'done' AND attempts = 1 AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  ck_assert_int_eq (single_int (till_store,
                                "SELECT count(*) FROM print_job WHERE kind = 'drawer' "
                                "AND state = 'done' AND attempts >= 2 AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  ck_assert_str_eq (till_window_get_printer_status_text (fixture.window), "打印机就绪");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "22-printer-back.png");

  fixture_teardown (&fixture);
  g_clear_object (&flaky_sim);
}
END_TEST

/* /app/ui/checkout/printer-absent: with no printer answering, the receipt
 * waits; when the printer is back it prints on its own (the retry after a
 * pause, no button pressed), once. */
START_TEST (test_printer_absent)
{
  Fixture fixture = { 0 };
  g_autoptr (TillSale) sale = NULL;
  TillPrinterMonitor *monitor;
  ReceiptCount        one = { 1 };
  ReceiptCount        two = { 2 };

  flaky_setup (&fixture, FLAKY_ABSENT);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  monitor = till_application_get_printer_monitor (fixture.app);
  ck_assert_ptr_nonnull (monitor);
  sale = sell_one (&fixture);
  ck_assert_msg (till_test_wait_until (monitor_in_trouble, monitor, WAIT_MS),
                 "the printer never failed");
  ck_assert_ptr_nonnull (strstr (till_printer_monitor_get_message (monitor), "No printer answers"));
  ck_assert_ptr_nonnull (strstr (till_window_get_printer_status_text (fixture.window), "重试"));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "23-printer-absent.png");

  flaky_set_mode (FLAKY_OK);
  ck_assert_msg (till_test_wait_until (enough_receipts, &one, WAIT_MS),
                 "the queued receipt never printed");
  ck_assert_msg (till_test_wait_until (nothing_pending, monitor, WAIT_MS),
                 "the queue never emptied");
  ck_assert (!till_test_wait_until (enough_receipts, &two, 500));
  {
    g_autofree char *printed = flaky_receipt_text (0);
    g_autofree char *receipt_no = till_sale_format_receipt_no (sale);

    ck_assert_ptr_nonnull (strstr (printed, receipt_no));
  }

  fixture_teardown (&fixture);
  g_clear_object (&flaky_sim);
}
END_TEST

/* /app/ui/checkout/reprint: win.reprint-last prints the last receipt again,
 * marked 副本 at the top and the bottom, with the original sale time and the
 * reprint time; the copy is a 'copy' job of the same sale. */
START_TEST (test_reprint)
{
  Fixture fixture = { 0 };
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GDateTime) created = NULL;
  g_autofree char    *original = NULL;
  g_autofree char    *copy = NULL;
  g_autofree char    *sale_time = NULL;
  g_autofree char    *receipt_no = NULL;
  TillPrinterMonitor *monitor;
  TillStore          *till_store;
  ReceiptCount        one = { 1 };
  ReceiptCount        two = { 2 };
  const char         *first_mark;
  const char         *last_mark;

  flaky_setup (&fixture, FLAKY_OK);
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  monitor = till_application_get_printer_monitor (fixture.app);
  till_store = till_session_get_store (till_window_get_session (fixture.window));
  sale = sell_one (&fixture);
  ck_assert_msg (till_test_wait_until (enough_receipts, &one, WAIT_MS),
                 "the receipt never printed");
  activate (&fixture, "sale.new", NULL);

  /* A second later, so that the reprint time differs from the sale's. */
  g_usleep (G_USEC_PER_SEC);
  activate (&fixture, "win.reprint-last", NULL);
  ck_assert_msg (till_test_wait_until (enough_receipts, &two, WAIT_MS), "the copy never printed");
  ck_assert_msg (till_test_wait_until (nothing_pending, monitor, WAIT_MS),
                 "the queue never emptied");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "24-reprint.png");

  original = flaky_receipt_text (0);
  copy = flaky_receipt_text (1);
  receipt_no = till_sale_format_receipt_no (sale);
  created = till_sale_get_created (sale);
  sale_time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  ck_assert_ptr_null (strstr (original, "副本"));
  /* The same receipt: number and sale time... */
  ck_assert_ptr_nonnull (strstr (copy, receipt_no));
  ck_assert_msg (strstr (copy, sale_time) != NULL, "no sale time %s in\n%s", sale_time, copy);
  /* ...marked as a copy at the top and at the bottom, with the reprint time. */
  first_mark = strstr (copy, "副本");
  ck_assert_msg (first_mark != NULL, "no 副本 in\n%s", copy);
  last_mark = g_strrstr (copy, "副本");
  ck_assert_ptr_ne (first_mark, last_mark);
  ck_assert_msg (first_mark < strstr (copy, receipt_no), "副本 is not at the top:\n%s", copy);
  ck_assert_msg (last_mark > strstr (copy, receipt_no), "副本 is not at the bottom:\n%s", copy);
  ck_assert_ptr_nonnull (strstr (copy, "重印"));
  ck_assert_int_eq (single_int (till_store,
                                "SELECT count(*) FROM print_job WHERE kind = 'copy' "
                                "AND state = 'done' AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    1);
  /* A reprint opens no drawer (the shift's float counted in is its own). */
  ck_assert_int_eq (single_int (till_store, "SELECT count(*) FROM drawer_event", NULL), 1);
  g_print ("copy as printed:\n%s", copy);

  fixture_teardown (&fixture);
  g_clear_object (&flaky_sim);
}
END_TEST

/* ---- The printer simulator on a serial line ----------------------------------- */

typedef struct
{
  TillPrinterSim *sim;
  guint           wanted;
} SimReceipts;

static gboolean
sim_enough_receipts (gpointer data)
{
  SimReceipts *wait = data;
  return till_printer_sim_get_n_receipts (wait->sim) >= wait->wanted;
}

static gboolean
monitor_has_message (gpointer data)
{
  return till_printer_monitor_get_message (data) != NULL;
}

static char *
describe_flags (TillPrinterStatusFlags flags)
{
  TillPrinterStatus status = { .flags = flags };

  return till_printer_status_describe (&status);
}

/* /app/ui/checkout/printer-status: a serial printer (the simulator on a pty)
 * out of paper: the sale completes, the screen gives the printer's own reason,
 * nothing is written into it; back online, the receipt prints once. With the
 * paper running low, the receipt prints and the screen warns. */
START_TEST (test_printer_status)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) second = NULL;
  g_autofree char    *device = NULL;
  g_autofree char    *config = NULL;
  g_autofree char    *paper_out = NULL;
  g_autofree char    *paper_low = NULL;
  g_autofree char    *receipt_no = NULL;
  GString            *printed = g_string_new (NULL);
  TillPrinterMonitor *monitor;
  SimReceipts         one = { sim, 1 };
  SimReceipts         two = { sim, 2 };
  SimReceipts         three = { sim, 3 };

  till_printer_sim_set_state (sim, TILL_PRINTER_SIM_PAPER_OUT);
  device = till_printer_sim_serve_pty (sim, &error);
  ck_assert_msg (device != NULL, "%s", error ? error->message : "");
  fixture_setup_files (&fixture);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=serial://%s?baud=9600&width=80&encoding=gbk\n",
                            fixture.db_path, device);
  ck_assert (g_file_set_contents (fixture.config_path, config, -1, NULL));
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  /* In the till's language, now set. */
  paper_out = describe_flags (TILL_PRINTER_STATUS_PAPER_OUT);
  paper_low = describe_flags (TILL_PRINTER_STATUS_PAPER_NEAR_END);
  monitor = till_application_get_printer_monitor (fixture.app);
  ck_assert_ptr_nonnull (monitor);
  sale = sell_one (&fixture);
  ck_assert_msg (till_test_wait_until (monitor_in_trouble, monitor, WAIT_MS),
                 "the printer never failed");
  /* The printer's reason, not the transport's. */
  ck_assert_msg (strstr (till_printer_monitor_get_message (monitor), paper_out) != NULL,
                 "“%s” does not say “%s”", till_printer_monitor_get_message (monitor), paper_out);
  ck_assert_ptr_nonnull (strstr (till_window_get_printer_status_text (fixture.window), paper_out));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "25-printer-status-paper-out.png");
  /* Only the drawer pulse reached the printer; the receipt waits. */
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 0);
  ck_assert_uint_ge (till_printer_monitor_get_n_pending (monitor), 1);

  /* Paper in: the retry prints it, once. */
  till_printer_sim_set_state (sim, TILL_PRINTER_SIM_ONLINE);
  activate (&fixture, "win.print-retry", NULL);
  ck_assert_msg (till_test_wait_until (sim_enough_receipts, &one, WAIT_MS),
                 "the receipt never printed");
  ck_assert_msg (till_test_wait_until (nothing_pending, monitor, WAIT_MS),
                 "the queue never emptied");
  ck_assert (!till_test_wait_until (sim_enough_receipts, &two, 500));
  ck_assert_ptr_null (till_printer_monitor_get_message (monitor));

  /* Paper running low: the next receipt prints, and the screen warns. */
  till_printer_sim_set_state (sim, TILL_PRINTER_SIM_PAPER_NEAR_END);
  second = sell_one (&fixture);
  ck_assert_msg (till_test_wait_until (sim_enough_receipts, &two, WAIT_MS),
                 "the second receipt never printed");
  ck_assert_msg (till_test_wait_until (monitor_has_message, monitor, WAIT_MS), "no warning");
  ck_assert_str_eq (till_printer_monitor_get_message (monitor), paper_low);
  ck_assert_int_ne (till_printer_monitor_get_state (monitor), TILL_PRINTER_STATE_TROUBLE);
  ck_assert_ptr_nonnull (strstr (till_window_get_printer_status_text (fixture.window), paper_low));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "26-printer-status-paper-low.png");
  ck_assert (!till_test_wait_until (sim_enough_receipts, &three, 300));

  till_printer_sim_stop_serving (sim);
  for (guint i = 0; i < 2; i++)
    {
      const GPtrArray *lines = till_printer_sim_get_receipt_lines (sim, i);

      for (guint j = 0; lines != NULL && j < lines->len; j++)
        g_string_append_printf (printed, "%s\n", (const char *) lines->pdata[j]);
    }
  receipt_no = till_sale_format_receipt_no (sale);
  ck_assert_msg (strstr (printed->str, receipt_no) != NULL, "receipt %s not on paper:\n%s",
                 receipt_no, printed->str);
  g_string_free (printed, TRUE);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/checkout/printer-bad-option: a printer URI with an option the profile
 * does not know is a message on screen, and the sale still completes. */
START_TEST (test_printer_bad_option)
{
  Fixture fixture = { 0 };
  g_autoptr (TillSale) sale = NULL;
  g_autofree char    *config = NULL;
  TillPrinterMonitor *monitor;

  fixture_setup_files (&fixture);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=66\n",
                            fixture.db_path, fixture.receipt_dir);
  ck_assert (g_file_set_contents (fixture.config_path, config, -1, NULL));
  fill_demo_store (fixture.db_path);

  fixture_start_app (&fixture);
  monitor = till_application_get_printer_monitor (fixture.app);
  ck_assert_int_eq (till_printer_monitor_get_state (monitor), TILL_PRINTER_STATE_TROUBLE);
  ck_assert_ptr_nonnull (strstr (till_printer_monitor_get_message (monitor), "66"));
  sale = sell_one (&fixture);
  ck_assert_ptr_nonnull (sale);
  ck_assert_ptr_nonnull (strstr (till_window_get_printer_status_text (fixture.window), "66"));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "27-printer-bad-option.png");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_checkout_suite (void)
{
  Suite *suite = suite_create ("/app/ui/checkout");
  TCase *tcase = tcase_create ("/app/ui/checkout");

  tcase_set_timeout (tcase, 110);
  tcase_add_test (tcase, test_cash_sale);
  tcase_add_test (tcase, test_keypad_errors);
  tcase_add_test (tcase, test_storage_failure);
  tcase_add_test (tcase, test_locked_store);
  tcase_add_test (tcase, test_restart);
  tcase_add_test (tcase, test_printer_trouble);
  tcase_add_test (tcase, test_printer_absent);
  tcase_add_test (tcase, test_reprint);
  tcase_add_test (tcase, test_printer_status);
  tcase_add_test (tcase, test_printer_bad_option);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_checkout_suite ());
}
