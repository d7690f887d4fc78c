/* test-ui-returns.c: /app/ui/returns: the real till under Xvfb: a cash sale,
 * its receipt QR scanned on the sale screen opens the returns screen, a partial
 * refund prints its slip on the simulated printer, returning more than is left
 * is refused, a return without receipt needs a supervisor, and an exchange
 * sells the cart against the goods that come back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include <till-receipt.h>
#include <till-scanner-sim.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-return-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
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
  char            *barcodes[3];
  TillScannerSim  *scanner;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillCart        *cart;
  TillReturnView  *view;
} Fixture;

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

static gint64
count_rows (TillStore *store, const char *sql)
{
  g_autofree char *text = single_text (store, sql);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : -1;
}

static TillReturnView *
find_return_view (GtkWidget *widget)
{
  if (TILL_IS_RETURN_VIEW (widget))
    return TILL_RETURN_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TillReturnView *found = find_return_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *scanner_uri = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);
  /* A serial scanner (the simulator on a pty): the receipt QR is read as at
   * the counter. */
  fixture->scanner = till_scanner_sim_new (NULL, "\r", &error);
  ck_assert_msg (fixture->scanner != NULL, "%s", error ? error->message : "");
  scanner_uri = till_scanner_sim_get_uri (fixture->scanner, NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\nscanner=%s\n",
                            fixture->db_path, fixture->receipt_dir, scanner_uri);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  /* Three counted products of different prices; the third costs the most, so
   * that an exchange for it leaves something to pay. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *sql = g_strdup_printf (
          "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 AND p.price >= 500 "
          "AND p.price <= 5000 ORDER BY p.price %s, p.id LIMIT 1 OFFSET %u",
          i < 2 ? "ASC" : "DESC", i < 2 ? i : 0);

      fixture->barcodes[i] = single_text (store, sql);
      ck_assert_ptr_nonnull (fixture->barcodes[i]);
    }
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->cart = till_session_get_cart (fixture->session);
  fixture->view = find_return_view (GTK_WIDGET (fixture->window));
  ck_assert_ptr_nonnull (fixture->view);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  g_clear_pointer (&fixture->scanner, till_scanner_sim_free);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  g_free (fixture->receipt_dir);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->barcodes); i++)
    g_free (fixture->barcodes[i]);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

/* Runs one of the returns screen's actions as its button would. */
static void
view_activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  ck_assert_msg (till_ui_action_get_enabled (GTK_WIDGET (fixture->view), name), "%s is disabled",
                 name);
  ck_assert_msg (gtk_widget_activate_action_variant (GTK_WIDGET (fixture->view), name, parameter),
                 "no action %s", name);
}

static void
screenshot (Fixture *fixture, const char *name)
{
  till_test_wait_for_frames (GTK_WIDGET (fixture->window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture->window), name);
}

typedef struct
{
  const char *dir;
  guint       wanted;
} PngWait;

static guint
count_pngs (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      n++;
  return n;
}

static gboolean
enough_pngs (gpointer data)
{
  PngWait *wait = data;

  return count_pngs (wait->dir) >= wait->wanted;
}

static void
wait_for_pngs (Fixture *fixture, guint wanted)
{
  PngWait wait = { fixture->receipt_dir, wanted };

  ck_assert_msg (till_test_wait_until (enough_pngs, &wait, WAIT_MS),
                 "%u printed papers in %s, wanted %u", count_pngs (fixture->receipt_dir),
                 fixture->receipt_dir, wanted);
}

static gboolean
no_override_dialog (gpointer data)
{
  return till_return_view_get_override_dialog (data) == NULL;
}

/* The demo manager keys their code and PIN into the open dialog. */
static void
manager_approves (Fixture *fixture)
{
  TillOverrideDialog *dialog = till_return_view_get_override_dialog (fixture->view);

  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture->view, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
}

typedef struct
{
  Fixture    *fixture;
  const char *page;
} PageWait;

static gboolean
view_shows (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (till_window_get_page (wait->fixture->window), "returns") == 0 &&
         g_strcmp0 (till_return_view_get_page (wait->fixture->view), wait->page) == 0;
}

static void
assert_view_shows (Fixture *fixture, const char *page)
{
  PageWait wait = { fixture, page };
  gboolean is_error = FALSE;

  ck_assert_msg (till_test_wait_until (view_shows, &wait, WAIT_MS),
                 "window page %s, returns page %s (wanted %s); message: %s",
                 till_window_get_page (fixture->window), till_return_view_get_page (fixture->view),
                 page, till_return_view_get_message (fixture->view, &is_error));
}

/* The cashier sells 3 × the first product and one each of the other two, in cash. */
static TillSale *
cash_sale_of_three_lines (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *three = g_strdup_printf ("3×%s", fixture->barcodes[0]);
  TillSale        *sale;

  activate (fixture, "sale.add-plu", g_variant_new_string (three));
  activate (fixture, "sale.scan", g_variant_new_string (fixture->barcodes[1]));
  activate (fixture, "sale.scan", g_variant_new_string (fixture->barcodes[2]));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture->cart), 3);
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  activate (fixture, "sale.new", NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture->cart), 0);
  sale = till_sale_load_last (till_session_get_store (fixture->session), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_lines (sale), 3);
  ck_assert_int_eq (till_sale_get_line (sale, 0)->quantity, 3 * TILL_QUANTITY_ONE);
  return sale;
}

/* Refunds (with the manager's approval if the cashier's limit asks for it). */
static void
press_refund (Fixture *fixture)
{
  view_activate (fixture, "return.refund", NULL);
  if (till_return_view_get_override_dialog (fixture->view) != NULL)
    manager_approves (fixture);
  assert_view_shows (fixture, "done");
}

/* /app/ui/returns/flow */
START_TEST (test_returns_flow)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *receipt_no = NULL;
  TillStore       *store;
  TillReturn      *ret;
  gboolean         is_error = FALSE;
  guint            papers;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);

  /* A cash sale of three lines; its receipt prints. */
  sale = cash_sale_of_three_lines (&fixture);
  wait_for_pngs (&fixture, 1);
  papers = count_pngs (fixture.receipt_dir);

  /* The returns screen from the Functions menu: where to start. */
  activate (&fixture, "win.returns", NULL);
  assert_view_shows (&fixture, "find");
  screenshot (&fixture, "returns-01-start.png");

  /* An unknown receipt number: said plainly, nothing changes. */
  view_activate (&fixture, "return.find", g_variant_new_string ("99999"));
  ck_assert_str_eq (till_return_view_get_page (fixture.view), "find");
  till_return_view_get_message (fixture.view, &is_error);
  ck_assert (is_error);
  ck_assert_ptr_null (till_return_view_get_return (fixture.view));
  screenshot (&fixture, "returns-02-unknown-receipt.png");
  view_activate (&fixture, "return.back", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  /* The customer's receipt QR, read by the scanner on the sale screen. */
  payload = till_receipt_qr_payload (sale);
  ck_assert_msg (till_scanner_sim_scan (fixture.scanner, payload, 0, &error), "%s",
                 error ? error->message : "");
  assert_view_shows (&fixture, "pick");
  ret = till_return_view_get_return (fixture.view);
  ck_assert_ptr_nonnull (ret);
  ck_assert_str_eq (till_sale_get_uuid (till_return_get_sale (ret)), till_sale_get_uuid (sale));
  /* The cart is empty: no exchange, and the screen says why. */
  ck_assert (!till_ui_action_get_enabled (GTK_WIDGET (fixture.view), "return.exchange"));
  ck_assert (!till_ui_action_get_enabled (GTK_WIDGET (fixture.view), "return.refund"));

  /* One of the three: the refund shows before anything is committed. */
  view_activate (&fixture, "return.increase", g_variant_new_uint32 (0));
  ck_assert_int_eq (till_return_get_quantity (ret, 0), TILL_QUANTITY_ONE);
  ck_assert_int_gt (till_return_get_refund_total (ret), 0);
  {
    g_autofree char *refund = till_ui_format_money (till_return_get_refund_total (ret));

    ck_assert_str_eq (till_return_view_get_refund_text (fixture.view), refund);
  }
  view_activate (&fixture, "return.set-reason", g_variant_new_string ("defective"));
  ck_assert_int_eq (till_return_get_reason (ret), TILL_RETURN_REASON_DEFECTIVE);
  screenshot (&fixture, "returns-03-pick.png");

  /* Refund: recorded, cash out, the slip prints, the drawer opened for it. */
  press_refund (&fixture);
  ret = till_return_view_get_return (fixture.view);
  ck_assert (till_return_is_committed (ret));
  ck_assert_int_eq (till_return_get_cash_refund (ret), till_return_get_refund_total (ret));
  {
    g_autofree char *refund = till_ui_format_money (till_return_get_refund_total (ret));

    ck_assert_str_eq (till_return_view_get_done_amount_text (fixture.view), refund);
  }
  wait_for_pngs (&fixture, papers + 1);
  papers = count_pngs (fixture.receipt_dir);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM print_job WHERE kind = 'refund' "
                                       "AND return_uuid IS NOT NULL"),
                    1);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM drawer_event WHERE reason = 'refund'"),
                    1);
  screenshot (&fixture, "returns-04-refunded.png");
  view_activate (&fixture, "return.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  /* The same receipt again, typed: two of the first line are left; a third
   * is refused with the reason, and nothing more is picked. */
  receipt_no = till_sale_format_receipt_no (sale);
  activate (&fixture, "win.returns", NULL);
  view_activate (&fixture, "return.find", g_variant_new_string (receipt_no));
  assert_view_shows (&fixture, "pick");
  ret = till_return_view_get_return (fixture.view);
  ck_assert_int_eq (till_return_get_returned_before (ret, 0), TILL_QUANTITY_ONE);
  ck_assert_int_eq (till_return_get_returnable (ret, 0), 2 * TILL_QUANTITY_ONE);
  view_activate (&fixture, "return.increase", g_variant_new_uint32 (0));
  view_activate (&fixture, "return.increase", g_variant_new_uint32 (0));
  /* The + button is now off; a third press anyway (a quick double tap): */
  gtk_widget_activate_action (GTK_WIDGET (fixture.view), "return.increase", "u", 0);
  ck_assert_int_eq (till_return_get_quantity (ret, 0), 2 * TILL_QUANTITY_ONE);
  till_return_view_get_message (fixture.view, &is_error);
  ck_assert_msg (is_error, "no refusal shown: %s",
                 till_return_view_get_message (fixture.view, NULL));
  screenshot (&fixture, "returns-05-too-many.png");
  view_activate (&fixture, "return.back", NULL);
  ck_assert_str_eq (till_return_view_get_page (fixture.view), "find");
  view_activate (&fixture, "return.back", NULL);

  /* Without a receipt: the cashier may not; the manager approves on the spot. */
  activate (&fixture, "win.returns", NULL);
  view_activate (&fixture, "return.no-receipt", NULL);
  assert_view_shows (&fixture, "no-receipt");
  view_activate (&fixture, "return.add-product", g_variant_new_string (fixture.barcodes[1]));
  ret = till_return_view_get_return (fixture.view);
  ck_assert_uint_eq (till_return_get_n_lines (ret), 1);
  ck_assert_ptr_null (till_return_get_sale (ret));
  screenshot (&fixture, "returns-06-no-receipt.png");
  view_activate (&fixture, "return.refund", NULL);
  ck_assert_ptr_nonnull (till_return_view_get_override_dialog (fixture.view));
  ck_assert (!till_return_is_committed (ret));
  ck_assert (till_test_wait_until (till_test_is_mapped,
                                   till_return_view_get_override_dialog (fixture.view), WAIT_MS));
  till_test_wait_for_frames (GTK_WIDGET (till_return_view_get_override_dialog (fixture.view)), 2);
  till_test_save_screenshot (GTK_WIDGET (till_return_view_get_override_dialog (fixture.view)),
                             "returns-07-no-receipt-override.png");
  manager_approves (&fixture);
  assert_view_shows (&fixture, "done");
  ret = till_return_view_get_return (fixture.view);
  ck_assert (till_return_is_committed (ret));
  ck_assert_str_eq (till_return_get_approver_code (ret), TILL_DEMO_MANAGER_CODE);
  wait_for_pngs (&fixture, papers + 1);
  papers = count_pngs (fixture.receipt_dir);
  screenshot (&fixture, "returns-08-no-receipt-done.png");
  view_activate (&fixture, "return.close", NULL);

  /* An exchange: the new goods rung up first, then one of the second line
   * comes back against them. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[2]));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  activate (&fixture, "win.returns", NULL);
  view_activate (&fixture, "return.find", g_variant_new_string (receipt_no));
  assert_view_shows (&fixture, "pick");
  view_activate (&fixture, "return.increase", g_variant_new_uint32 (1));
  ret = till_return_view_get_return (fixture.view);
  ck_assert (till_ui_action_get_enabled (GTK_WIDGET (fixture.view), "return.exchange"));
  {
    gint64 cart_total = till_cart_get_total (fixture.cart);
    gint64 due = cart_total - till_return_get_refund_total (ret);
    gint64 tendered = due > 0 ? ((due + 9999) / 10000) * 10000 : 0;

    /* The dearer product costs more than the cheaper one coming back. */
    ck_assert_int_gt (due, 0);
    view_activate (&fixture, "return.exchange", NULL);
    /* It asks for the cash first. */
    ck_assert_str_eq (till_return_view_get_page (fixture.view), "pick");
    ck_assert (!till_return_is_committed (ret));
    screenshot (&fixture, "returns-09-exchange-cash.png");
    view_activate (&fixture, "return.exchange-cash", g_variant_new_int64 (tendered));
    if (till_return_view_get_override_dialog (fixture.view) != NULL)
      manager_approves (&fixture);
    assert_view_shows (&fixture, "done");
    ck_assert (till_return_is_committed (ret));
    ck_assert_ptr_nonnull (till_return_view_get_exchange_sale (fixture.view));
    ck_assert_int_eq (till_sale_get_total (till_return_view_get_exchange_sale (fixture.view)),
                      cart_total);
    ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 0);
    {
      g_autofree char *due_text = till_ui_format_money (due);

      ck_assert_str_eq (till_return_view_get_done_amount_text (fixture.view), due_text);
    }
  }
  /* The new sale's receipt and the return's slip. */
  wait_for_pngs (&fixture, papers + 2);
  ck_assert_str_eq (till_return_get_exchange_sale_uuid (ret),
                    till_sale_get_uuid (till_return_view_get_exchange_sale (fixture.view)));
  screenshot (&fixture, "returns-10-exchanged.png");
  view_activate (&fixture, "return.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_returns_suite (void)
{
  Suite *suite = suite_create ("/app/ui/returns");
  TCase *tcase = tcase_create ("/app/ui/returns");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_returns_flow);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_returns_suite ());
}
