/* test-ui-control.c: /app/ui/control: the real till under Xvfb, driven through
 * its actions: voids and price changes a supervisor approves on the spot,
 * suspended and resumed sales, lockout and badge sign-in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "till-application.h"
#include "till-override-dialog.h"
#include "till-receipts-dialog.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-app-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"
#include "widgets/till-cart-row.h"
#include "widgets/till-keypad.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS

typedef struct
{
  char             *dir;
  char             *db_path;
  char             *config_path;
  char             *receipt_dir;
  char             *barcodes[2];
  TillApplication  *app;
  TillWindow       *window;
  TillSession      *session;
  TillCart         *cart;
  TillCheckoutView *checkout;
  const char       *till_config; /* more lines for [till], or NULL */
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
count_journal (TillStore *store, const char *kind, const char *body_part)
{
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT count(*) FROM journal WHERE kind = ?1 AND "
                                        "instr (CAST (body AS TEXT), ?2) > 0",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, body_part != NULL ? body_part : "", -1, SQLITE_STATIC);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
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
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);
  config =
      g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n%s"
                       "[devices]\nprinter=sim://printer?dir=%s&width=80\n",
                       fixture->db_path, fixture->till_config != NULL ? fixture->till_config : "",
                       fixture->receipt_dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  /* A small demo shop, and two counted products' barcodes. */
  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  fixture->barcodes[0] =
      single_text (store, "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 "
                          "AND p.price >= 500 ORDER BY p.id LIMIT 1");
  fixture->barcodes[1] =
      single_text (store, "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 "
                          "AND p.price >= 500 ORDER BY p.id DESC LIMIT 1");
  ck_assert_ptr_nonnull (fixture->barcodes[0]);
  ck_assert_ptr_nonnull (fixture->barcodes[1]);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->cart = till_session_get_cart (fixture->session);
  fixture->checkout = till_window_get_checkout_view (fixture->window);
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
  g_free (fixture->barcodes[0]);
  g_free (fixture->barcodes[1]);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static void
sign_in_cashier (Fixture *fixture)
{
  till_test_sign_in (fixture->window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
}

static gboolean
no_override_dialog (gpointer data)
{
  return till_checkout_view_get_override_dialog (data) == NULL;
}

static TillOverrideDialog *
wait_for_dialog (Fixture *fixture)
{
  TillOverrideDialog *dialog = till_checkout_view_get_override_dialog (fixture->checkout);

  ck_assert_msg (dialog != NULL, "no override dialog; status: %s",
                 till_checkout_view_get_status (fixture->checkout, NULL));
  ck_assert_msg (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS),
                 "the override dialog never mapped");
  return dialog;
}

/* The demo manager approves the open dialog with @reason. */
static void
manager_approves (Fixture *fixture, const char *reason)
{
  TillOverrideDialog *dialog = wait_for_dialog (fixture);

  if (reason != NULL)
    gtk_widget_activate_action (GTK_WIDGET (dialog), "override.set-reason", "s", reason);
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture->checkout, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
}

static GtkWidget *
find_keypad (GtkWidget *widget)
{
  if (TILL_IS_KEYPAD (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_keypad (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What a supervisor does on the touch keypad: code, Next, PIN, Approve. */
static void
manager_keys_in (Fixture *fixture)
{
  TillOverrideDialog *dialog = wait_for_dialog (fixture);
  TillKeypad         *keypad = TILL_KEYPAD (find_keypad (GTK_WIDGET (dialog)));

  ck_assert_ptr_nonnull (keypad);
  till_keypad_set_text (keypad, TILL_DEMO_MANAGER_CODE);
  g_signal_emit_by_name (keypad, "activate");
  ck_assert_ptr_eq (till_checkout_view_get_override_dialog (fixture->checkout), dialog);
  till_keypad_set_text (keypad, TILL_DEMO_MANAGER_PIN);
  g_signal_emit_by_name (keypad, "activate");
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture->checkout, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
}

/* /app/ui/control/void-line: a cashier may not void; a manager approves on the
 * spot with a reason; the same holds for a price change and a whole-sale void. */
START_TEST (test_void_line)
{
  Fixture             fixture = { 0 };
  TillStore          *store;
  TillOverrideDialog *dialog;
  gboolean            is_error = FALSE;
  const char         *status;
  gint64              overrides;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  sign_in_cashier (&fixture);
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[1]));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
  ck_assert_uint_eq (till_checkout_view_get_selected (fixture.checkout), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-01-two-lines.png");

  /* Delete line: the cashier lacks the permission, so the supervisor is asked. */
  activate (&fixture, "sale.delete-line", NULL);
  dialog = wait_for_dialog (&fixture);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
  /* A just-scanned correction: "wrong item scanned" is offered first. */
  ck_assert_str_eq (till_override_dialog_get_reason (dialog), TILL_REASON_WRONG_ITEM);
  till_test_wait_for_frames (GTK_WIDGET (dialog), 2);
  till_test_save_screenshot (GTK_WIDGET (dialog), "control-02-override-dialog.png");

  /* A wrong supervisor PIN: refused in the dialog, nothing voided. */
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, "0000");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_ptr_eq (till_checkout_view_get_override_dialog (fixture.checkout), dialog);
  ck_assert_str_ne (till_override_dialog_get_error (dialog), "");
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
  ck_assert_int_eq (count_journal (store, "void-line", NULL), 0);
  till_test_wait_for_frames (GTK_WIDGET (dialog), 2);
  till_test_save_screenshot (GTK_WIDGET (dialog), "control-03-override-wrong-pin.png");

  /* The manager's PIN with a reason: the line is gone, both acts journaled. */
  overrides = count_journal (store, "override", NULL);
  manager_approves (&fixture, TILL_REASON_CUSTOMER_CHANGED_MIND);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  status = till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert_msg (!is_error, "unexpected error: %s", status);
  ck_assert_int_eq (count_journal (store, "void-line", TILL_REASON_CUSTOMER_CHANGED_MIND), 1);
  ck_assert_int_eq (count_journal (store, "override", TILL_DEMO_MANAGER_CODE), overrides + 1);
  ck_assert_int_eq (count_journal (store, "override", TILL_REASON_CUSTOMER_CHANGED_MIND),
                    overrides + 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-04-line-voided.png");

  /* A price change beyond the cashier's limit needs approval likewise. */
  activate (&fixture, "sale.select-line", g_variant_new_uint32 (0));
  activate (&fixture, "sale.override-price", g_variant_new_string ("1.00"));
  dialog = wait_for_dialog (&fixture);
  ck_assert_str_eq (till_override_dialog_get_reason (dialog), TILL_REASON_PRICE_ERROR);
  ck_assert_int_ne (till_cart_line_get_unit_price (till_cart_get_line (fixture.cart, 0)), 100);
  manager_keys_in (&fixture);
  ck_assert_int_eq (till_cart_line_get_unit_price (till_cart_get_line (fixture.cart, 0)), 100);
  ck_assert_int_eq (count_journal (store, "price-override", TILL_REASON_PRICE_ERROR), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-05-price-overridden.png");

  /* A discount asked for and cancelled: nothing changes, nothing journaled. */
  activate (&fixture, "sale.discount-line", g_variant_new_string ("10"));
  dialog = wait_for_dialog (&fixture);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.cancel", NULL);
  ck_assert (till_test_wait_until (no_override_dialog, fixture.checkout, WAIT_MS));
  ck_assert_int_eq (count_journal (store, "line-discount", NULL), 0);
  ck_assert_int_eq (till_cart_line_get_unit_price (till_cart_get_line (fixture.cart, 0)), 100);
  ck_assert_int_eq (till_cart_line_get_discount_bp (till_cart_get_line (fixture.cart, 0)), 0);

  /* Asked again, the manager keys their code and scans their badge. */
  ck_assert (till_user_set_badge (store, till_session_get_journal (fixture.session), NULL,
                                  TILL_DEMO_MANAGER_CODE, "BADGE-9001-MGR", NULL));
  activate (&fixture, "sale.discount-line", g_variant_new_string ("10"));
  dialog = wait_for_dialog (&fixture);
  till_keypad_set_text (TILL_KEYPAD (find_keypad (GTK_WIDGET (dialog))), TILL_DEMO_MANAGER_CODE);
  till_override_dialog_take_badge (dialog, "BADGE-9001-MGR");
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture.checkout, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
  ck_assert_int_eq (till_cart_line_get_discount_bp (till_cart_get_line (fixture.cart, 0)), 1000);
  ck_assert_int_eq (count_journal (store, "line-discount", NULL), 1);
  ck_assert_int_eq (count_journal (store, "override", "badge"), 1);

  /* The cart line says what the price was and the discount it has. */
  {
    TillCartLine    *line = till_cart_get_line (fixture.cart, 0);
    GtkWidget       *row = g_object_ref_sink (till_cart_row_new ());
    g_autofree char *was_price = till_ui_format_money (till_cart_line_get_original_price (line));
    g_autofree char *was = g_strdup_printf (_ ("was %s"), was_price);
    g_autofree char *off = g_strdup_printf (_ ("%d %% off"), 10);

    till_cart_row_set_line (TILL_CART_ROW (row), line, 0);
    ck_assert_msg (strstr (till_cart_row_get_detail_text (TILL_CART_ROW (row)), was) != NULL, "%s",
                   till_cart_row_get_detail_text (TILL_CART_ROW (row)));
    ck_assert_msg (strstr (till_cart_row_get_detail_text (TILL_CART_ROW (row)), off) != NULL, "%s",
                   till_cart_row_get_detail_text (TILL_CART_ROW (row)));
    till_cart_row_set_line (TILL_CART_ROW (row), NULL, 0);
    g_object_unref (row);
  }
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-05b-line-discounted.png");

  /* A bad discount is refused before anyone is asked. */
  activate (&fixture, "sale.discount-line", g_variant_new_string ("120"));
  ck_assert_ptr_null (till_checkout_view_get_override_dialog (fixture.checkout));
  till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert (is_error);

  /* Void the whole sale: the cashier says why first, then it is approved. */
  activate (&fixture, "sale.void-sale", NULL);
  ck_assert_ptr_null (till_checkout_view_get_override_dialog (fixture.checkout));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  activate (&fixture, "sale.act-reason", g_variant_new_string (TILL_REASON_CUSTOMER_CHANGED_MIND));
  manager_approves (&fixture, TILL_REASON_CUSTOMER_CHANGED_MIND);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 0);
  ck_assert_int_eq (count_journal (store, "void-sale", TILL_REASON_CUSTOMER_CHANGED_MIND), 1);

  fixture_teardown (&fixture);
}
END_TEST

static gboolean
popover_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* /app/ui/control/suspend-resume: a held sale comes back only into an empty
 * cart, exactly as it was. */
START_TEST (test_suspend_resume)
{
  Fixture fixture = { 0 };
  g_autoptr (GPtrArray) held = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *held_uuid = NULL;
  TillStore       *store;
  GtkWidget       *list;
  GtkWidget       *popover;
  gboolean         is_error = FALSE;
  gint64           held_total;
  gint64           held_id;
  guint            n_rows = 0;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  sign_in_cashier (&fixture);
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[1]));
  held_total = till_cart_get_total (fixture.cart);
  held_uuid = g_strdup (till_cart_get_sale_uuid (fixture.cart));

  /* Suspend (with an approval should the cashier need one). */
  activate (&fixture, "sale.suspend", NULL);
  if (till_checkout_view_get_override_dialog (fixture.checkout) != NULL)
    manager_approves (&fixture, NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 0);
  ck_assert_str_ne (till_cart_get_sale_uuid (fixture.cart), held_uuid);
  held = till_held_sale_list (store, &error);
  ck_assert_msg (held != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (held->len, 1);
  held_id = ((TillHeldSale *) g_ptr_array_index (held, 0))->id;
  ck_assert_int_eq (((TillHeldSale *) g_ptr_array_index (held, 0))->total, held_total);

  /* The list of held sales shows it. */
  activate (&fixture, "sale.resume-list", NULL);
  list = till_checkout_view_get_held_list (fixture.checkout);
  popover = gtk_widget_get_ancestor (list, GTK_TYPE_POPOVER);
  ck_assert_ptr_nonnull (popover);
  ck_assert (till_test_wait_until (popover_mapped, popover, WAIT_MS));
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_BUTTON (row))
      n_rows++;
  ck_assert_uint_eq (n_rows, 1);
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  till_test_save_screenshot (popover, "control-06-held-sales.png");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-07-held-sales-window.png");
  gtk_popover_popdown (GTK_POPOVER (popover));

  /* The next customer; resuming into a cart with lines is refused. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[1]));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  activate (&fixture, "sale.resume", g_variant_new_int64 (held_id));
  if (till_checkout_view_get_override_dialog (fixture.checkout) != NULL)
    manager_approves (&fixture, NULL);
  till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert (is_error);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-08-resume-refused.png");

  /* Finish that sale, then the held one comes back as it was. */
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.exact", NULL);
  activate (&fixture, "sale.new", NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 0);
  activate (&fixture, "sale.resume", g_variant_new_int64 (held_id));
  if (till_checkout_view_get_override_dialog (fixture.checkout) != NULL)
    manager_approves (&fixture, NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
  ck_assert_int_eq (till_cart_get_total (fixture.cart), held_total);
  ck_assert_str_eq (till_cart_get_sale_uuid (fixture.cart), held_uuid);
  g_clear_pointer (&held, g_ptr_array_unref);
  held = till_held_sale_list (store, &error);
  ck_assert_uint_eq (held->len, 0);
  ck_assert_int_eq (count_journal (store, "suspend-sale", NULL), 1);
  ck_assert_int_eq (count_journal (store, "resume-sale", NULL), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-09-resumed.png");

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/control/lockout: five wrong PINs lock the cashier, and the sign-in
 * screen says until when, even for the right PIN. */
START_TEST (test_lockout)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) user = NULL;
  TillLoginView   *login;
  g_autofree char *wrong_pin_message = NULL;

  fixture_setup (&fixture);
  login = till_window_get_login_view (fixture.window);
  for (int i = 0; i < TILL_USER_MAX_FAILED_ATTEMPTS; i++)
    {
      activate (&fixture, "win.login", g_variant_new ("(ss)", TILL_DEMO_CASHIER_CODE, "0000"));
      ck_assert_str_eq (till_window_get_page (fixture.window), "login");
    }
  wrong_pin_message = g_strdup (till_login_view_get_message (login));
  activate (&fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN));
  ck_assert_str_eq (till_window_get_page (fixture.window), "login");
  ck_assert_ptr_null (till_session_get_user (fixture.session));
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-10-locked.png");

  /* What the core says about the lock (with the unlock time) is on screen. */
  user = till_user_authenticate (till_session_get_store (fixture.session), TILL_DEMO_CASHIER_CODE,
                                 TILL_DEMO_CASHIER_PIN, &error);
  ck_assert_ptr_null (user);
  ck_assert (g_error_matches (error, TILL_USER_ERROR, TILL_USER_ERROR_LOCKED));
  ck_assert_str_eq (till_login_view_get_message (login), error->message);
  ck_assert_str_ne (till_login_view_get_message (login), wrong_pin_message);

  /* The manager is not locked. */
  till_test_sign_in (fixture.window, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/control/badge-login: a badge scanned on the sign-in screen signs its
 * holder in; an unknown one is refused on screen. */
START_TEST (test_badge_login)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  TillLoginView *login;

  fixture_setup (&fixture);
  login = till_window_get_login_view (fixture.window);
  ck_assert_msg (till_user_set_badge (till_session_get_store (fixture.session),
                                      till_session_get_journal (fixture.session), NULL,
                                      TILL_DEMO_CASHIER_CODE, "BADGE-1001-XYZ", &error),
                 "%s", error ? error->message : "");

  activate (&fixture, "win.login-badge", g_variant_new_string ("BADGE-9999-NOPE"));
  ck_assert_str_eq (till_window_get_page (fixture.window), "login");
  ck_assert_str_ne (till_login_view_get_message (login), "");
  ck_assert_ptr_null (till_session_get_user (fixture.session));

  /* Signed in: the shift page asks for the float, as after a PIN. */
  activate (&fixture, "win.login-badge", g_variant_new_string ("BADGE-1001-XYZ"));
  ck_assert_str_eq (till_window_get_page (fixture.window), "shift");
  ck_assert_str_eq (till_shift_view_get_page (till_window_get_shift_view (fixture.window)), "open");
  ck_assert_str_eq (till_user_get_code (till_session_get_user (fixture.session)),
                    TILL_DEMO_CASHIER_CODE);

  fixture_teardown (&fixture);
}
END_TEST

static gboolean
nobody_signed_in (gpointer data)
{
  return till_session_get_user (data) == NULL;
}

/* /app/ui/control/screen-lock: left alone, the till locks with the sale in
 * progress kept; another cashier cannot take that sale, its own cashier and a
 * supervisor can; signing out locks the same way. */
START_TEST (test_screen_lock)
{
  Fixture          fixture = { .till_config = "idle-lock-seconds=1\n" };
  g_autofree char *refused = NULL;
  TillStore       *store;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  ck_assert (till_user_create (store, "1002", "张小红", TILL_ROLE_CASHIER, "2222", NULL) > 0);
  sign_in_cashier (&fixture);
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);

  /* Nobody touches the till: it locks, the sale waits. */
  ck_assert_msg (till_test_wait_until (nobody_signed_in, fixture.session, 10000),
                 "the idle till did not lock");
  ck_assert_str_eq (till_window_get_page (fixture.window), "login");
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);

  /* Another cashier may not walk off with it. */
  activate (&fixture, "win.login", g_variant_new ("(ss)", "1002", "2222"));
  ck_assert_ptr_null (till_session_get_user (fixture.session));
  refused = g_strdup (till_login_view_get_message (till_window_get_login_view (fixture.window)));
  ck_assert_msg (strstr (refused, TILL_DEMO_CASHIER_CODE) != NULL, "%s", refused);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-11-screen-locked.png");

  /* Its cashier picks it up again, then locks on demand; a supervisor may take over. */
  sign_in_cashier (&fixture);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);
  activate (&fixture, "win.logout", NULL);
  ck_assert_ptr_null (till_session_get_user (fixture.session));
  activate (&fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN));
  ck_assert_ptr_nonnull (till_session_get_user (fixture.session));
  ck_assert_str_eq (till_user_get_code (till_session_get_user (fixture.session)),
                    TILL_DEMO_MANAGER_CODE);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);

  fixture_teardown (&fixture);
}
END_TEST

/* ---- Cashier acts around the sale (no-sale, whole-sale discount, receipts) --- */

typedef struct
{
  TillStore  *store;
  const char *sql;
} RowsWait;

static gint64
count_rows (TillStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        count;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  ck_assert_int_eq (sqlite3_step (stmt), SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return count;
}

static gboolean
rows_present (gpointer data)
{
  RowsWait *wait = data;

  return count_rows (wait->store, wait->sql) > 0;
}

/* The open window named "reason-dialog" (the sale screen's reason chooser). */
static GtkWidget *
find_reason_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (g_strcmp0 (gtk_widget_get_name (l->data), "reason-dialog") == 0 &&
        gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static TillReceiptsDialog *
find_receipts_dialog (void)
{
  g_autoptr (GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (TILL_IS_RECEIPTS_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
no_receipts_dialog (gpointer data)
{
  return find_receipts_dialog () == NULL;
}

static GtkWidget *
wait_for_reason_dialog (Fixture *fixture)
{
  GtkWidget *dialog = find_reason_dialog ();

  ck_assert_msg (dialog != NULL, "no reason asked; status: %s",
                 till_checkout_view_get_status (fixture->checkout, NULL));
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  return dialog;
}

/* How tall @widget is on screen: its border box, which is what a finger hits
 * (gtk_widget_get_height() leaves out the padding and border). */
static int
touch_height (GtkWidget *widget)
{
  graphene_rect_t bounds;

  if (!gtk_widget_compute_bounds (widget, widget, &bounds))
    return 0;
  return (int) bounds.size.height;
}

/* Every button in @widget's tree at least @min_height high once laid out. */
static void
assert_touch_targets (GtkWidget *widget, int min_height)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_widget_get_mapped (child))
        ck_assert_msg (touch_height (child) >= min_height, "button “%s” is %d px high",
                       gtk_button_get_label (GTK_BUTTON (child)) != NULL
                           ? gtk_button_get_label (GTK_BUTTON (child))
                           : "",
                       touch_height (child));
      assert_touch_targets (child, min_height);
    }
}

/* /app/ui/control/no-sale: a cashier opens the drawer without a sale: the
 * reason first, then a supervisor approves, then the printer gets the pulse;
 * a closed reason window opens nothing. */
START_TEST (test_no_sale)
{
  Fixture    fixture = { 0 };
  TillStore *store;
  GtkWidget *reasons;
  gboolean   is_error = TRUE;
  gint64     overrides;
  RowsWait   pulse_done;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  sign_in_cashier (&fixture);
  /* With a sale on screen too: a till opens for change at any time. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));

  /* Asked and closed: nothing happens. */
  activate (&fixture, "win.no-sale", NULL);
  reasons = wait_for_reason_dialog (&fixture);
  gtk_window_destroy (GTK_WINDOW (reasons));
  ck_assert_ptr_null (find_reason_dialog ());
  ck_assert_ptr_null (till_checkout_view_get_override_dialog (fixture.checkout));
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM drawer_event"), 0);

  activate (&fixture, "win.no-sale", NULL);
  reasons = wait_for_reason_dialog (&fixture);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM journal WHERE kind = 'no-sale'"), 0);
  till_test_wait_for_frames (reasons, 2);
  assert_touch_targets (reasons, 48);
  till_test_save_screenshot (reasons, "control-20-no-sale-reason.png");

  /* The cashier may not: the supervisor is asked, nothing is open yet. */
  activate (&fixture, "sale.act-reason", g_variant_new_string ("change-for-customer"));
  ck_assert_ptr_null (find_reason_dialog ());
  wait_for_dialog (&fixture);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM drawer_event"), 0);
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-21-no-sale-override.png");

  overrides = count_journal (store, "override", TILL_DEMO_MANAGER_CODE);
  manager_keys_in (&fixture);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM drawer_event WHERE reason = "
                                       "'no-sale' AND user_code = '" TILL_DEMO_CASHIER_CODE "'"),
                    1);
  ck_assert_int_eq (count_journal (store, "no-sale", "change-for-customer"), 1);
  ck_assert_int_eq (count_journal (store, "override", TILL_DEMO_MANAGER_CODE), overrides + 1);
  till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert (!is_error);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 1);

  /* The simulated printer took the bare pulse. */
  pulse_done.store = store;
  pulse_done.sql = "SELECT count(*) FROM print_job WHERE kind = 'drawer' AND sale_uuid IS NULL "
                   "AND state = 'done'";
  ck_assert_msg (till_test_wait_until (rows_present, &pulse_done, WAIT_MS),
                 "the drawer pulse never reached the printer");
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-22-no-sale-done.png");

  fixture_teardown (&fixture);
}
END_TEST

static GtkWidget *
find_menu_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_MENU_BUTTON (widget) &&
      g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_menu_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* /app/ui/control/sale-discount: a supervisor takes 10 % off the whole sale on
 * their own, 30 % needs a manager; a fixed amount works the same way. */
START_TEST (test_sale_discount)
{
  Fixture     fixture = { 0 };
  TillStore  *store;
  GtkWidget  *button;
  GtkPopover *popover;
  gboolean    is_error = TRUE;
  gint64      subtotal;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  ck_assert (till_user_create (store, "2001", "赵主管", TILL_ROLE_SUPERVISOR, "5678", NULL) > 0);
  till_test_sign_in (fixture.window, "2001", "5678");
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[0]));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcodes[1]));
  subtotal = till_cart_get_subtotal (fixture.cart);

  /* The button's popover says what the keyed number would do. */
  till_keypad_set_text (till_checkout_view_get_keypad (fixture.checkout), "10");
  button = find_menu_button (GTK_WIDGET (fixture.checkout), _ ("Sale discount"));
  ck_assert_ptr_nonnull (button);
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  ck_assert_int_ge (touch_height (button), 48);
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (button));
  ck_assert (till_test_wait_until (popover_mapped, popover, WAIT_MS));
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  assert_touch_targets (GTK_WIDGET (popover), 48);
  till_test_save_screenshot (GTK_WIDGET (popover), "control-23-sale-discount-popover.png");
  gtk_popover_popdown (popover);

  /* Within the supervisor's 20 %: a reason, and it is done. */
  activate (&fixture, "sale.discount-sale", g_variant_new_string ("10"));
  wait_for_reason_dialog (&fixture);
  ck_assert_int_eq (till_cart_get_sale_discount_bp (fixture.cart), 0);
  activate (&fixture, "sale.act-reason", g_variant_new_string ("complaint-goodwill"));
  ck_assert_ptr_null (till_checkout_view_get_override_dialog (fixture.checkout));
  ck_assert_int_eq (till_cart_get_sale_discount_bp (fixture.cart), 1000);
  ck_assert_int_eq (
      till_cart_get_subtotal (fixture.cart) + till_cart_get_sale_discount (fixture.cart), subtotal);
  ck_assert_int_eq (count_journal (store, "sale-discount", "complaint-goodwill"), 1);
  till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert (!is_error);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-24-sale-discount-10.png");

  /* Beyond it: a manager approves; the supervisor's reason stays the act's. */
  activate (&fixture, "sale.discount-sale", g_variant_new_string ("30"));
  activate (&fixture, "sale.act-reason", g_variant_new_string (TILL_REASON_DAMAGED));
  wait_for_dialog (&fixture);
  ck_assert_int_eq (till_cart_get_sale_discount_bp (fixture.cart), 1000);
  manager_approves (&fixture, NULL);
  ck_assert_int_eq (till_cart_get_sale_discount_bp (fixture.cart), 3000);
  ck_assert_int_eq (count_journal (store, "sale-discount", TILL_REASON_DAMAGED), 1);

  /* A fixed amount off, in yuan; more than the sale is refused at once. */
  activate (&fixture, "sale.discount-sale-amount", g_variant_new_string ("1"));
  activate (&fixture, "sale.act-reason", g_variant_new_string (TILL_REASON_PRICE_ERROR));
  if (till_checkout_view_get_override_dialog (fixture.checkout) != NULL)
    manager_approves (&fixture, NULL);
  ck_assert_int_eq (till_cart_get_sale_discount_amount (fixture.cart), 100);
  ck_assert_int_eq (till_cart_get_sale_discount_bp (fixture.cart), 0);
  activate (&fixture, "sale.discount-sale-amount", g_variant_new_string ("99999"));
  ck_assert_ptr_null (find_reason_dialog ());
  till_checkout_view_get_status (fixture.checkout, &is_error);
  ck_assert (is_error);
  ck_assert_int_eq (till_cart_get_sale_discount_amount (fixture.cart), 100);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-25-sale-discount-amount.png");

  fixture_teardown (&fixture);
}
END_TEST

static void
sell_one (Fixture *fixture, const char *barcode)
{
  activate (fixture, "sale.scan", g_variant_new_string (barcode));
  activate (fixture, "sale.pay", NULL);
  activate (fixture, "pay.exact", NULL);
  activate (fixture, "sale.new", NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture->cart), 0);
}

/* /app/ui/control/recall: the receipts dialog lists today's sales newest
 * first, finds one by number (refusing another till's), reprints it as a
 * copy, keeps after-sales notes and hands a return to the returns screen. */
START_TEST (test_recall)
{
  Fixture             fixture = { 0 };
  TillStore          *store;
  TillReceiptsDialog *dialog;
  g_autoptr (TillSale) last = NULL;
  g_autoptr (TillSale) first = NULL;
  g_autofree char *first_no = NULL;
  gboolean         is_error = TRUE;
  RowsWait         copy_done;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  sign_in_cashier (&fixture);
  sell_one (&fixture, fixture.barcodes[0]);
  first = till_sale_load_last (store, NULL);
  ck_assert_ptr_nonnull (first);
  sell_one (&fixture, fixture.barcodes[1]);
  last = till_sale_load_last (store, NULL);
  ck_assert_ptr_nonnull (last);
  ck_assert_str_ne (till_sale_get_uuid (first), till_sale_get_uuid (last));

  activate (&fixture, "win.recall", NULL);
  dialog = find_receipts_dialog ();
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  ck_assert_uint_eq (till_receipts_dialog_get_n_sales (dialog), 2);
  ck_assert_str_eq (till_sale_get_uuid (till_receipts_dialog_get_sale (dialog)),
                    till_sale_get_uuid (last));
  till_test_wait_for_frames (GTK_WIDGET (dialog), 2);
  assert_touch_targets (GTK_WIDGET (dialog), 48);
  till_test_save_screenshot (GTK_WIDGET (dialog), "control-26-receipts.png");

  /* Found by its number as printed, and by the bare number. */
  first_no = till_sale_format_receipt_no (first);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.search", "s", first_no);
  ck_assert_uint_eq (till_receipts_dialog_get_n_sales (dialog), 1);
  ck_assert_str_eq (till_sale_get_uuid (till_receipts_dialog_get_sale (dialog)),
                    till_sale_get_uuid (first));
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.search", "s", "999999");
  ck_assert_uint_eq (till_receipts_dialog_get_n_sales (dialog), 0);
  till_receipts_dialog_get_message (dialog, &is_error);
  ck_assert (is_error);
  /* Another till's number is refused as the core refuses it, not taken for
   * this till's sale with the same number. */
  {
    g_autoptr (GError) other_error = NULL;
    g_autoptr (TillSale) other = NULL;

    ck_assert_str_ne (till_sale_get_till_id (first), "T02");
    other = till_return_find_sale_by_number (store, "T02-00000001", &other_error);
    ck_assert_ptr_null (other);
    ck_assert (g_error_matches (other_error, TILL_RETURN_ERROR, TILL_RETURN_ERROR_OTHER_STORE));
    gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.search", "s", "T02-00000001");
    ck_assert_uint_eq (till_receipts_dialog_get_n_sales (dialog), 0);
    ck_assert_ptr_null (till_receipts_dialog_get_sale (dialog));
    ck_assert_str_eq (till_receipts_dialog_get_message (dialog, &is_error), other_error->message);
    ck_assert (is_error);
  }
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.search", "s", "");
  ck_assert_uint_eq (till_receipts_dialog_get_n_sales (dialog), 2);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.select", "s",
                              till_sale_get_uuid (first));
  ck_assert_str_eq (till_sale_get_uuid (till_receipts_dialog_get_sale (dialog)),
                    till_sale_get_uuid (first));

  /* Reprint: a cashier may; the copy reaches the printer. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.reprint", NULL);
  ck_assert_ptr_null (till_receipts_dialog_get_override_dialog (dialog));
  ck_assert_msg (strstr (till_receipts_dialog_get_message (dialog, &is_error), first_no) != NULL,
                 "%s", till_receipts_dialog_get_message (dialog, NULL));
  ck_assert (!is_error);
  copy_done.store = store;
  copy_done.sql = "SELECT count(*) FROM print_job WHERE kind = 'copy' AND state = 'done'";
  ck_assert_msg (till_test_wait_until (rows_present, &copy_done, WAIT_MS),
                 "the copy never reached the printer");

  /* An after-sales note: an empty one is refused, a real one listed. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.add-note", "s", "   ");
  till_receipts_dialog_get_message (dialog, &is_error);
  ck_assert (is_error);
  ck_assert_uint_eq (till_receipts_dialog_get_n_notes (dialog), 0);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.set-note-kind", "s", "complaint");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.add-note", "s",
                              "顾客反映找零少了一元，已当面补齐");
  till_receipts_dialog_get_message (dialog, &is_error);
  ck_assert (!is_error);
  ck_assert_uint_eq (till_receipts_dialog_get_n_notes (dialog), 1);
  ck_assert_int_eq (count_journal (store, "sale-note", "complaint"), 1);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM outbox WHERE kind = 'sale-note'"), 1);
  till_test_wait_for_frames (GTK_WIDGET (dialog), 2);
  till_test_save_screenshot (GTK_WIDGET (dialog), "control-27-receipts-note.png");

  /* Return: the returns screen takes the receipt, the dialog closes. */
  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.return", NULL);
  ck_assert (till_test_wait_until (no_receipts_dialog, NULL, WAIT_MS));
  ck_assert_str_eq (till_window_get_page (fixture.window), "returns");
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "control-28-return-from-receipt.png");

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/control/reprint-permission: once a manager takes reprints from
 * cashiers, the top bar's Reprint prints nothing and opens the receipts, where
 * a supervisor approves the copy. */
START_TEST (test_reprint_permission)
{
  Fixture             fixture = { 0 };
  TillStore          *store;
  TillReceiptsDialog *dialog;
  TillOverrideDialog *approval;
  g_autoptr (GError) error = NULL;
  RowsWait copy_done;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  sign_in_cashier (&fixture);
  sell_one (&fixture, fixture.barcodes[0]);
  ck_assert_msg (till_permission_role_set (store, till_session_get_journal (fixture.session),
                                           TILL_DEMO_MANAGER_CODE, TILL_ROLE_CASHIER,
                                           TILL_PERMISSION_REPRINT, FALSE, &error),
                 "%s", error ? error->message : "");

  activate (&fixture, "win.reprint-last", NULL);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM print_job WHERE kind = 'copy'"), 0);
  dialog = find_receipts_dialog ();
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));

  gtk_widget_activate_action (GTK_WIDGET (dialog), "receipts.reprint", NULL);
  approval = till_receipts_dialog_get_override_dialog (dialog);
  ck_assert_ptr_nonnull (approval);
  ck_assert_int_eq (count_rows (store, "SELECT count(*) FROM print_job WHERE kind = 'copy'"), 0);
  till_override_dialog_set_credentials (approval, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (approval), "override.approve", NULL);
  ck_assert_int_eq (count_journal (store, "override", TILL_DEMO_MANAGER_CODE), 1);
  copy_done.store = store;
  copy_done.sql = "SELECT count(*) FROM print_job WHERE kind = 'copy' AND state = 'done'";
  ck_assert_msg (till_test_wait_until (rows_present, &copy_done, WAIT_MS),
                 "the approved copy never reached the printer");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_control_suite (void)
{
  Suite *suite = suite_create ("/app/ui/control");
  TCase *tcase = tcase_create ("/app/ui/control");

  tcase_set_timeout (tcase, 110);
  tcase_add_test (tcase, test_void_line);
  tcase_add_test (tcase, test_suspend_resume);
  tcase_add_test (tcase, test_lockout);
  tcase_add_test (tcase, test_badge_login);
  tcase_add_test (tcase, test_screen_lock);
  tcase_add_test (tcase, test_no_sale);
  tcase_add_test (tcase, test_sale_discount);
  tcase_add_test (tcase, test_recall);
  tcase_add_test (tcase, test_reprint_permission);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_control_suite ());
}
