/* test-ui-payment.c: /app/ui/payment: the real till under Xvfb taking a
 * mixed payment (stored value, a scanned WeChat code through the providers'
 * simulator that the till's sim:// configuration starts, cash with change),
 * and the wallet's refusals, cancelling and taking tenders off; and the
 * [payments] part of the till's configuration.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-config.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"
#include "widgets/till-keypad.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS

#define CARD_RICH "8800000000000012"
#define CARD_RICH_BALANCE 55000

/* Codes whose last two digits choose the simulator's scenario. */
#define WECHAT_PAID "134526789012345600"
#define WECHAT_PASSWORD "134526789012345611"
#define WECHAT_NEVER_CONFIRMS "134526789012345612"
#define WECHAT_NO_BALANCE "134526789012345621"

typedef struct
{
  char            *dir;
  char            *db_path;
  char            *config_path;
  char            *receipt_dir;
  char            *barcode;
  TillApplication *app;
  TillWindow      *window;
  TillSession     *session;
  TillCart        *cart;
  TillPaymentView *payment;
} Fixture;

static char *
single_text (sqlite3 *db, const char *sql, const char *parameter)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK);
  if (parameter != NULL)
    sqlite3_bind_text (stmt, 1, parameter, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autofree char *config = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);
  /* Every wallet against the simulator the till starts itself. */
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\n"
                            "[payments]\nwechat-url=sim://\nalipay-url=sim://\n"
                            "unionpay-url=sim://\n",
                            fixture->db_path, fixture->receipt_dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  /* The demo's rich stored-value card (¥500 + ¥50 bonus); opened here when
   * the demo shop does not have it. */
  account = till_stored_value_find (store, CARD_RICH, NULL);
  if (account == NULL)
    ck_assert_msg (till_stored_value_open (store, CARD_RICH, "张三", 50000, 5000, &error), "%s",
                   error ? error->message : "");
  fixture->barcode =
      single_text (till_store_get_db (store),
                   "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                   "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 AND p.price >= 500 "
                   "ORDER BY p.id LIMIT 1",
                   NULL);
  ck_assert_ptr_nonnull (fixture->barcode);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->cart = till_session_get_cart (fixture->session);
  fixture->payment = till_window_get_payment_view (fixture->window);
  ck_assert_ptr_nonnull (till_application_get_paysim (fixture->app));
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  if (fixture->app != NULL)
    till_application_close_session (fixture->app);
  g_clear_object (&fixture->app);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  g_free (fixture->receipt_dir);
  g_free (fixture->barcode);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static TillPayment *
current_payment (Fixture *fixture)
{
  return till_session_get_payment (fixture->session);
}

/* Signs in and fills the cart until it is worth at least @at_least fen, then
 * opens the payment page. */
static void
start_payment (Fixture *fixture, gint64 at_least)
{
  till_test_sign_in (fixture->window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  for (guint i = 0; i < 40 && till_cart_get_total (fixture->cart) < at_least; i++)
    activate (fixture, "sale.scan", g_variant_new_string (fixture->barcode));
  ck_assert_int_ge (till_cart_get_total (fixture->cart), at_least);
  activate (fixture, "sale.pay", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "payment");
}

static gboolean
not_busy (gpointer data)
{
  return !till_payment_view_is_busy (data);
}

static gboolean
has_progress (gpointer data)
{
  g_autofree char *text = till_payment_view_dup_waiting_text (data);

  return !till_payment_view_is_busy (data) || strchr (text, '\n') != NULL;
}

static gboolean
receipt_printed (gpointer data)
{
  return g_strcmp0 (till_payment_view_get_print_status (data), _ ("Receipt printed.")) == 0;
}

static gboolean
pay_sent (gpointer data)
{
  return till_paysim_count_requests (data, "pay") >= 1;
}

static void
wait_not_busy (Fixture *fixture)
{
  ck_assert_msg (till_test_wait_until (not_busy, fixture->payment, WAIT_MS),
                 "the wallet payment never finished");
}

static TillKeypad *
find_keypad (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TillKeypad *found = TILL_IS_KEYPAD (child) ? TILL_KEYPAD (child) : find_keypad (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The newest wallet attempt's out_trade_no and state. */
static void
last_attempt (Fixture *fixture, char **out_trade_no, char **out_state)
{
  sqlite3 *db = till_store_get_db (till_session_get_store (fixture->session));

  *out_trade_no = single_text (
      db,
      "SELECT out_trade_no FROM wallet_payment ORDER BY created_us DESC, out_trade_no DESC LIMIT 1",
      NULL);
  ck_assert_ptr_nonnull (*out_trade_no);
  *out_state =
      single_text (db, "SELECT state FROM wallet_payment WHERE out_trade_no = ?1", *out_trade_no);
}

/* /app/ui/payment/mixed: stored value, then a scanned WeChat code that needs
 * the customer's password, then cash with change; the sale records the three
 * tenders with their references, the card is debited, the simulator charged
 * once, and the receipt prints. */
START_TEST (test_mixed)
{
  Fixture fixture = { 0 };
  g_autoptr (GPtrArray) buttons = NULL;
  g_autoptr (GPtrArray) enabled = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillSale) recorded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *attempt = NULL;
  g_autofree char *state = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *expected_change = NULL;
  g_autofree char *expected_remaining = NULL;
  TillPaySim      *paysim;
  TillPayment     *payment;
  TillSale        *sale;
  TillKeypad      *keypad;
  gint64           exact;
  gint64           remaining;
  gint64           cash_due;
  gint64           handed;

  fixture_setup (&fixture);
  paysim = till_application_get_paysim (fixture.app);
  start_payment (&fixture, 8000);
  payment = current_payment (&fixture);
  exact = till_payment_get_exact (payment);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);

  /* The tender buttons are the store's enabled tenders, in its order; a
   * member's points only when a member is on the sale (none here). */
  buttons = till_payment_view_list_tender_buttons (fixture.payment);
  enabled = till_tender_registry_list_enabled (till_session_get_tenders (fixture.session));
  for (guint i = 0; i < enabled->len; i++)
    if (g_str_equal (till_tender_get_id (enabled->pdata[i]), "points"))
      g_ptr_array_remove_index (enabled, i--);
  ck_assert_uint_eq (buttons->len, enabled->len);
  ck_assert_uint_ge (buttons->len, 7);
  for (guint i = 0; i < buttons->len; i++)
    ck_assert_str_eq (buttons->pdata[i], till_tender_get_id (enabled->pdata[i]));
  ck_assert_str_eq (buttons->pdata[0], "cash");
  ck_assert_str_eq (buttons->pdata[1], "wechat");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-01-tenders.png");

  /* ¥20 from the stored-value card: holder and balance first. */
  activate (&fixture, "pay.tender", g_variant_new_string ("stored-value"));
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "stored-value");
  activate (&fixture, "pay.find-card", g_variant_new_string (CARD_RICH));
  ck_assert_msg (strstr (till_payment_view_get_stored_value_text (fixture.payment), "550.00") !=
                     NULL,
                 "no balance shown: %s", till_payment_view_get_stored_value_text (fixture.payment));
  activate (&fixture, "pay.stored-value", g_variant_new ("(sx)", CARD_RICH, (gint64) 2000));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  ck_assert_int_eq (till_payment_get_paid (payment), 2000);
  expected_remaining = till_ui_format_money (exact - 2000);
  ck_assert_str_eq (till_payment_view_get_remaining_text (fixture.payment), expected_remaining);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-02-after-stored-value.png");

  /* ¥30 by WeChat: typed on the keypad, then the customer's code scanned
   * (through the window, as a scanner's code arrives). The customer enters a
   * password: the screen waits and says so. */
  keypad = find_keypad (GTK_WIDGET (fixture.payment));
  ck_assert_ptr_nonnull (keypad);
  till_keypad_set_text (keypad, "30");
  g_signal_emit_by_name (till_application_get_devices (fixture.app), "code-scanned",
                         WECHAT_PASSWORD);
  ck_assert (till_payment_view_is_busy (fixture.payment));
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "waiting");
  /* Nothing else may happen meanwhile. */
  ck_assert (!till_window_activate_action (fixture.window, "pay.cancel", NULL));
  ck_assert (!till_window_activate_action (fixture.window, "pay.exact", NULL));
  ck_assert (till_test_wait_until (has_progress, fixture.payment, WAIT_MS));
  waiting = till_payment_view_dup_waiting_text (fixture.payment);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-03-wechat-waiting.png");
  wait_not_busy (&fixture);
  ck_assert_msg (till_payment_get_n_tenders (payment) == 2, "WeChat not applied: %s",
                 till_payment_view_get_message (fixture.payment));
  ck_assert_int_eq (till_payment_get_paid (payment), 5000);
  last_attempt (&fixture, &attempt, &state);
  ck_assert_str_eq (state, "paid");
  ck_assert_uint_eq (till_paysim_count_charges (paysim, attempt), 1);
  ck_assert_int_eq (till_paysim_get_charged (paysim, attempt), 3000);
  ck_assert_uint_ge (till_paysim_count_requests (paysim, "query"), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-04-after-wechat.png");

  /* The rest in cash: a note above the cash due, change given. */
  remaining = till_payment_get_remaining (payment);
  cash_due = till_payment_get_cash_due (payment);
  ck_assert_int_eq (remaining, exact - 5000);
  handed = (cash_due / 1000 + 1) * 1000;
  activate (&fixture, "pay.cash", g_variant_new_int64 (handed));
  sale = till_payment_view_get_sale (fixture.payment);
  ck_assert_msg (sale != NULL, "no sale: %s", till_payment_view_get_message (fixture.payment));
  expected_change = till_ui_format_money (handed - cash_due);
  ck_assert_str_eq (till_payment_view_get_change_text (fixture.payment), expected_change);
  ck_assert_msg (till_test_wait_until (receipt_printed, fixture.payment, WAIT_MS),
                 "receipt status: %s", till_payment_view_get_print_status (fixture.payment));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-05-change.png");

  /* The sale as recorded: three tenders with their references. */
  recorded =
      till_sale_load (till_session_get_store (fixture.session), till_sale_get_uuid (sale), &error);
  ck_assert_msg (recorded != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_payments (recorded), 3);
  {
    const TillSalePayment *stored = till_sale_get_payment (recorded, 0);
    const TillSalePayment *wechat = till_sale_get_payment (recorded, 1);
    const TillSalePayment *cash = till_sale_get_payment (recorded, 2);

    ck_assert_str_eq (stored->method, "stored-value");
    ck_assert_int_eq (stored->kind, TILL_TENDER_KIND_STORED_VALUE);
    ck_assert_int_eq (stored->amount, 2000);
    ck_assert_str_eq (stored->reference, CARD_RICH);
    ck_assert_str_eq (wechat->method, "wechat");
    ck_assert_int_eq (wechat->kind, TILL_TENDER_KIND_WALLET);
    ck_assert_int_eq (wechat->amount, 3000);
    ck_assert_ptr_nonnull (wechat->reference); /* the provider's transaction id */
    ck_assert_str_eq (wechat->attempt, attempt);
    ck_assert_str_eq (cash->method, "cash");
    ck_assert_int_eq (cash->amount, cash_due);
    ck_assert_int_eq (cash->tendered, handed);
    ck_assert_int_eq (cash->change, handed - cash_due);
  }
  ck_assert_int_eq (till_sale_get_total (recorded), exact + (cash_due - remaining));
  ck_assert_int_eq (till_sale_get_change (recorded), handed - cash_due);
  /* The same rows in the payment table, by method, amount and reference. */
  {
    sqlite3         *db = till_store_get_db (till_session_get_store (fixture.session));
    g_autofree char *rows = single_text (
        db,
        "SELECT group_concat (method || ':' || amount || ':' || coalesce (reference, ''), ',') "
        "FROM (SELECT * FROM payment WHERE sale_uuid = ?1 ORDER BY line_no)",
        till_sale_get_uuid (sale));
    g_autofree char *expected =
        g_strdup_printf ("stored-value:2000:%s,wechat:3000:%s,cash:%" G_GINT64_FORMAT ":",
                         CARD_RICH, till_sale_get_payment (recorded, 1)->reference, cash_due);

    ck_assert_str_eq (rows, expected);
  }
  /* The card paid its part; the wallet attempt belongs to the sale. */
  account = till_stored_value_find (till_session_get_store (fixture.session), CARD_RICH, &error);
  ck_assert_ptr_nonnull (account);
  ck_assert_int_eq (account->balance, CARD_RICH_BALANCE - 2000);
  /* The next sale starts unpaid. */
  activate (&fixture, "sale.new", NULL);
  ck_assert_uint_eq (till_payment_get_n_tenders (current_payment (&fixture)), 0);

  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/payment/not-a-code: a scan that is no wallet's payment code is
 * said so, and nothing is charged. */
START_TEST (test_not_a_code)
{
  Fixture fixture = { 0 };

  fixture_setup (&fixture);
  start_payment (&fixture, 1000);
  activate (&fixture, "pay.tender", g_variant_new_string ("wechat"));
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "wallet");
  g_signal_emit_by_name (till_application_get_devices (fixture.app), "code-scanned",
                         fixture.barcode);
  ck_assert (!till_payment_view_is_busy (fixture.payment));
  ck_assert_str_eq (till_payment_view_get_message (fixture.payment),
                    _ ("This is not a payment code."));
  ck_assert_uint_eq (till_payment_get_n_tenders (current_payment (&fixture)), 0);
  ck_assert_uint_eq (till_paysim_count_requests (till_application_get_paysim (fixture.app), "pay"),
                     0);
  /* The barcode did not go into the cart either. */
  ck_assert_str_eq (till_window_get_page (fixture.window), "payment");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-06-not-a-code.png");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/payment/declined: insufficient balance: the provider's message,
 * in red, nothing applied, and the code field cleared for the next one. */
START_TEST (test_declined)
{
  Fixture          fixture = { 0 };
  g_autofree char *attempt = NULL;
  g_autofree char *state = NULL;

  fixture_setup (&fixture);
  start_payment (&fixture, 1000);
  activate (&fixture, "pay.code", g_variant_new_string (WECHAT_NO_BALANCE));
  wait_not_busy (&fixture);
  ck_assert_msg (strstr (till_payment_view_get_message (fixture.payment), "余额不足") != NULL,
                 "message: %s", till_payment_view_get_message (fixture.payment));
  ck_assert_uint_eq (till_payment_get_n_tenders (current_payment (&fixture)), 0);
  last_attempt (&fixture, &attempt, &state);
  ck_assert_str_eq (state, "failed");
  ck_assert_uint_eq (till_paysim_count_charges (till_application_get_paysim (fixture.app), attempt),
                     0);
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "wallet");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-07-declined.png");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/payment/cancel-wallet: the customer never confirms; the cashier
 * cancels, the attempt is reversed at the provider before the screen frees. */
START_TEST (test_cancel_wallet)
{
  Fixture          fixture = { 0 };
  g_autofree char *attempt = NULL;
  g_autofree char *state = NULL;
  g_autofree char *cancelling = NULL;
  TillPaySim      *paysim;

  fixture_setup (&fixture);
  paysim = till_application_get_paysim (fixture.app);
  start_payment (&fixture, 1000);
  activate (&fixture, "pay.code", g_variant_new_string (WECHAT_NEVER_CONFIRMS));
  ck_assert (till_payment_view_is_busy (fixture.payment));
  /* The request goes out from this thread's main loop: run it meanwhile. */
  ck_assert (till_test_wait_until (pay_sent, paysim, WAIT_MS));
  activate (&fixture, "pay.cancel-wallet", NULL);
  cancelling = till_payment_view_dup_waiting_text (fixture.payment);
  ck_assert (till_payment_view_is_busy (fixture.payment));
  ck_assert_str_eq (cancelling, _ ("Cancelling…"));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-08-cancelling.png");
  wait_not_busy (&fixture);
  last_attempt (&fixture, &attempt, &state);
  ck_assert_str_eq (state, "reversed");
  ck_assert (till_paysim_is_reversed (paysim, attempt));
  ck_assert_int_eq (till_paysim_get_charged (paysim, attempt), 0);
  ck_assert_uint_eq (till_payment_get_n_tenders (current_payment (&fixture)), 0);
  ck_assert_str_ne (till_payment_view_get_message (fixture.payment), "");
  /* The screen is free again: back to the sale works. */
  activate (&fixture, "pay.cancel", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/payment/remove: a stored-value tender comes off at once; a paid
 * wallet tender keeps the cashier on the payment page until it is taken off,
 * which reverses it at the provider. */
START_TEST (test_remove)
{
  Fixture          fixture = { 0 };
  g_autofree char *attempt = NULL;
  g_autofree char *state = NULL;
  TillPaySim      *paysim;
  TillPayment     *payment;
  TillKeypad      *keypad;
  gint64           exact;

  fixture_setup (&fixture);
  paysim = till_application_get_paysim (fixture.app);
  start_payment (&fixture, 3000);
  payment = current_payment (&fixture);
  exact = till_payment_get_exact (payment);

  activate (&fixture, "pay.stored-value", g_variant_new ("(sx)", CARD_RICH, (gint64) 1000));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  activate (&fixture, "pay.remove", g_variant_new_uint32 (0));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
  ck_assert_int_eq (till_payment_get_remaining (payment), exact);

  /* ¥10 by WeChat, paid at once. */
  keypad = find_keypad (GTK_WIDGET (fixture.payment));
  till_keypad_set_text (keypad, "10");
  activate (&fixture, "pay.code", g_variant_new_string (WECHAT_PAID));
  wait_not_busy (&fixture);
  ck_assert_msg (till_payment_get_n_tenders (payment) == 1, "%s",
                 till_payment_view_get_message (fixture.payment));
  ck_assert (till_payment_has_captured (payment));
  last_attempt (&fixture, &attempt, &state);
  ck_assert_int_eq (till_paysim_get_charged (paysim, attempt), 1000);

  /* Money was taken: no going back to the sale with it applied. */
  activate (&fixture, "pay.cancel", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "payment");
  ck_assert_str_ne (till_payment_view_get_message (fixture.payment), "");

  activate (&fixture, "pay.remove", g_variant_new_uint32 (0));
  wait_not_busy (&fixture);
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
  ck_assert (till_paysim_is_reversed (paysim, attempt));
  ck_assert_int_eq (till_paysim_get_charged (paysim, attempt), 0);
  activate (&fixture, "pay.cancel", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/payment/card-voucher: a bad card reference is refused with a
 * message; ¥20 by card with its reference and tail, a voucher, then the rest
 * by card again after voiding the first on the terminal; the sale records
 * each tender with its reference and masked card, and no cash: no drawer. */
START_TEST (test_card_voucher)
{
  Fixture          fixture = { 0 };
  g_autofree char *sale_uuid = NULL;
  g_autofree char *card_rows = NULL;
  g_autofree char *voucher_state = NULL;
  g_autofree char *drawer_openings = NULL;
  TillPayment     *payment;
  sqlite3         *db;

  fixture_setup (&fixture);
  start_payment (&fixture, 5000);
  payment = current_payment (&fixture);
  sale_uuid = g_strdup (till_cart_get_sale_uuid (fixture.cart));

  activate (&fixture, "pay.card", g_variant_new ("(xss)", (gint64) 2000, "12", "1234"));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);
  ck_assert_str_ne (till_payment_view_get_message (fixture.payment), "");

  activate (&fixture, "pay.card", g_variant_new ("(xss)", (gint64) 2000, "REF001", "1234"));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  ck_assert_str_eq (till_payment_get_tender (payment, 0)->account, "**** 1234");
  ck_assert (till_payment_has_captured (payment));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-09-card.png");

  /* The card is taken off only once voided on the terminal. */
  activate (&fixture, "pay.void-card", g_variant_new_uint32 (0));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 0);

  activate (&fixture, "pay.voucher", g_variant_new_string (TILL_DEMO_VOUCHER_ANY));
  ck_assert_msg (till_payment_get_n_tenders (payment) == 1, "%s",
                 till_payment_view_get_message (fixture.payment));
  activate (&fixture, "pay.voucher", g_variant_new_string (TILL_DEMO_VOUCHER_EXPIRED));
  ck_assert_uint_eq (till_payment_get_n_tenders (payment), 1);
  ck_assert_str_ne (till_payment_view_get_message (fixture.payment), "");

  activate (&fixture, "pay.card",
            g_variant_new ("(xss)", till_payment_get_remaining (payment), "REF002", "9876"));
  ck_assert_msg (till_payment_view_get_sale (fixture.payment) != NULL, "%s",
                 till_payment_view_get_message (fixture.payment));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "payment-10-card-voucher-done.png");

  db = till_store_get_db (till_session_get_store (fixture.session));
  card_rows = single_text (db,
                           "SELECT group_concat (method || ':' || ifnull (reference, '') || ':' || "
                           "ifnull (account, ''), ',') FROM (SELECT * FROM payment "
                           "WHERE sale_uuid = ?1 ORDER BY line_no)",
                           sale_uuid);
  ck_assert_str_eq (card_rows, "voucher:V2026100:,card:REF002:**** 9876");
  voucher_state =
      single_text (db, "SELECT state FROM voucher WHERE code = ?1", TILL_DEMO_VOUCHER_ANY);
  ck_assert_str_eq (voucher_state, "redeemed");
  drawer_openings = single_text (
      db, "SELECT CAST (count(*) AS TEXT) FROM drawer_event WHERE ref_uuid = ?1", sale_uuid);
  ck_assert_str_eq (drawer_openings, "0");
  fixture_teardown (&fixture);
}
END_TEST

/* /app/config/payments: the [payments] group read, defaults filled in, and a
 * real provider without its credentials refused with the missing key. */
START_TEST (test_config_payments)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "till.conf", NULL);
  g_autofree char *cert = g_build_filename (dir, "apiclient_cert.pem", NULL);
  g_autofree char *text = NULL;
  g_autoptr (TillConfig) config = NULL;
  g_autoptr (TillConfig) copy = NULL;
  g_autoptr (GError) error = NULL;

  ck_assert (g_file_set_contents (cert, "not used", -1, NULL));
  text = g_strdup_printf ("[payments]\ntimeout=7\n"
                          "wechat-url=https://api.mch.weixin.qq.com\nwechat-appid=wx1\n"
                          "wechat-mch-id=1900000109\nwechat-api-key=k\nwechat-cert=%s\n"
                          "wechat-key=%s\nwechat-timeout=12\n"
                          "alipay-url=sim://\n"
                          "unionpay-url=https://api.shouqianba.com\nunionpay-terminal-sn=sn1\n",
                          cert, cert);
  ck_assert (g_file_set_contents (path, text, -1, NULL));
  config = till_config_load (path, &error);
  ck_assert_msg (config != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (config->wallets[TILL_CONFIG_WALLET_WECHAT].app_id, "wx1");
  ck_assert_str_eq (config->wallets[TILL_CONFIG_WALLET_WECHAT].merchant_id, "1900000109");
  ck_assert_uint_eq (config->wallets[TILL_CONFIG_WALLET_WECHAT].timeout, 12);
  ck_assert_uint_eq (config->wallets[TILL_CONFIG_WALLET_ALIPAY].timeout, 7);
  ck_assert_str_eq (config->wallets[TILL_CONFIG_WALLET_ALIPAY].url, TILL_CONFIG_PAYMENTS_SIM);
  ck_assert (till_config_validate_wallet (config, TILL_CONFIG_WALLET_WECHAT, &error));
  ck_assert (till_config_validate_wallet (config, TILL_CONFIG_WALLET_ALIPAY, &error));
  ck_assert (!till_config_validate_wallet (config, TILL_CONFIG_WALLET_UNIONPAY, &error));
  ck_assert_int_eq (error->code, TILL_CONFIG_ERROR_INVALID);
  ck_assert_msg (strstr (error->message, "unionpay-terminal-key") != NULL, "%s", error->message);
  copy = till_config_copy (config);
  ck_assert_str_eq (copy->wallets[TILL_CONFIG_WALLET_UNIONPAY].terminal_sn, "sn1");

  /* A timeout out of range stops the file from loading. */
  g_clear_error (&error);
  ck_assert (g_file_set_contents (path, "[payments]\nwechat-timeout=0\n", -1, NULL));
  ck_assert_ptr_null (till_config_load (path, &error));
  ck_assert_ptr_nonnull (error);
  till_test_remove_tree (dir);
}
END_TEST

static Suite *
payment_suite (void)
{
  Suite *suite = suite_create ("app/ui/payment");
  TCase *ui = tcase_create ("/app/ui/payment");
  TCase *config = tcase_create ("/app/config/payments");

  tcase_set_timeout (ui, 90);
  tcase_add_test (ui, test_mixed);
  tcase_add_test (ui, test_not_a_code);
  tcase_add_test (ui, test_declined);
  tcase_add_test (ui, test_cancel_wallet);
  tcase_add_test (ui, test_remove);
  tcase_add_test (ui, test_card_voucher);
  suite_add_tcase (suite, ui);
  tcase_add_test (config, test_config_payments);
  suite_add_tcase (suite, config);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (payment_suite ());
}
