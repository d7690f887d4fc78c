/* test-ui-members.c: /app/ui/members: the real till under Xvfb with the demo
 * store: a member registered through the member dialog's fields shows on the
 * sale masked (138****xxxx, the full number on no label of the window), is
 * found again by phone, tops up ¥100 with the ¥10 bonus shown and stored,
 * earns points on a sale with suggestions (at most three, from what this
 * store's customers bought together), is attached again by scanning their
 * member QR, and pays a sale partly with points, partly with stored value
 * and the rest in cash: the sale's payments and both ledgers add up. The
 * member's details: the summary's figures and last sales, full data only
 * with a manager's approval, a member coupon as a chip on the strip, points
 * for a gift.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-checkout-view.h"
#include "till-member-dialog.h"
#include "till-override-dialog.h"
#include "till-payment-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 11
#define WAIT_MS TILL_TEST_WAIT_MS
/* Sales in the store's history that buy the two products together, for the
 * recommender to learn at start. */
#define N_HISTORY_SALES 6

#define PHONE "13812345678"
#define PHONE_MASKED "138****5678"
#define NAME "王小明"
#define NAME_MASKED "王*明"
#define BIRTHDAY "1990-05-17"

typedef struct
{
  char             *dir;
  char             *db_path;
  char             *config_path;
  char             *barcode_a; /* two counted products, bought together in the history */
  char             *barcode_b;
  char             *name_b;
  TillApplication  *app;
  TillWindow       *window;
  TillSession      *session;
  TillCart         *cart;
  TillCheckoutView *view;
  TillPaymentView  *payment;
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

/* One integer from @sql with its text parameter @param. */
static gint64
single_int (TillStore *store, const char *sql, const char *param)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value = G_MININT64;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (param != NULL)
    sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static GtkWidget *
find_widget (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Every label's text under @widget, one a line. */
static void
collect_labels (GtkWidget *widget, GString *texts)
{
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (texts, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, texts);
}

/* The store's history: N_HISTORY_SALES cash sales of A and B together. */
static void
record_history (Fixture *fixture, TillStore *store)
{
  g_autofree char *key_path = g_build_filename (fixture->dir, "till.key", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillJournal) journal = till_journal_new (store, key_path, &error);
  g_autoptr (TillCatalog) catalog = till_catalog_new (store);
  g_autoptr (TillCart) cart = till_cart_new (store, catalog);
  g_autoptr (TillUser) cashier = till_user_lookup (store, TILL_DEMO_CASHIER_CODE, &error);

  ck_assert_msg (journal != NULL && cashier != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < N_HISTORY_SALES; i++)
    {
      g_autoptr (TillSale) sale = NULL;

      ck_assert_msg (till_cart_add_barcode (cart, fixture->barcode_a, &error) != NULL, "%s",
                     error ? error->message : "");
      ck_assert_msg (till_cart_add_barcode (cart, fixture->barcode_b, &error) != NULL, "%s",
                     error ? error->message : "");
      sale = till_sale_commit_cash (cart, journal, cashier, till_cart_get_total (cart), &error);
      ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
    }
}

static char *
barcode_sql (const char *not_code)
{
  return g_strdup_printf ("SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
                          "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 "
                          "AND p.price BETWEEN 1000 AND 3000 AND b.code <> '%s' "
                          "ORDER BY p.id LIMIT 1",
                          not_code);
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *sql_a = barcode_sql ("");
  g_autofree char *sql_b = NULL;
  g_autofree char *name_sql = NULL;
  g_autofree char *tenders = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  /* A simulated printer: the top-up slip is queued and printed. */
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\n",
                            fixture->db_path, fixture->dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  /* No promotions: the amounts below are the products' prices. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "DELETE FROM promotion; "
                                  "DELETE FROM master_row WHERE channel = 'promotions';",
                                  NULL, NULL, NULL),
                    SQLITE_OK);
  /* The store takes points, beside stored value. */
  tenders = till_store_get_setting (store, "tenders.enabled");
  if (tenders == NULL || strstr (tenders, "points") == NULL)
    {
      g_autofree char *with_points =
          g_strdup_printf ("%s,points", tenders != NULL ? tenders : TILL_TENDERS_DEFAULT);

      ck_assert (till_store_set_setting (store, "tenders.enabled", with_points, NULL));
    }
  fixture->barcode_a = single_text (store, sql_a);
  ck_assert_ptr_nonnull (fixture->barcode_a);
  sql_b = barcode_sql (fixture->barcode_a);
  fixture->barcode_b = single_text (store, sql_b);
  ck_assert_ptr_nonnull (fixture->barcode_b);
  name_sql = g_strdup_printf (
      "SELECT p.name FROM product p JOIN barcode b ON b.product_id = p.id WHERE b.code = '%s'",
      fixture->barcode_b);
  fixture->name_b = single_text (store, name_sql);
  ck_assert_ptr_nonnull (fixture->name_b);
  record_history (fixture, store);
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->cart = till_session_get_cart (fixture->session);
  fixture->view =
      TILL_CHECKOUT_VIEW (find_widget (GTK_WIDGET (fixture->window), TILL_TYPE_CHECKOUT_VIEW));
  fixture->payment =
      TILL_PAYMENT_VIEW (find_widget (GTK_WIDGET (fixture->window), TILL_TYPE_PAYMENT_VIEW));
  ck_assert_ptr_nonnull (fixture->view);
  ck_assert_ptr_nonnull (fixture->payment);
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
  g_free (fixture->barcode_a);
  g_free (fixture->barcode_b);
  g_free (fixture->name_b);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

/* Saves what @widget shows as test-output/ui-members/@name. */
static void
screenshot (GtkWidget *widget, const char *name)
{
  till_test_save_screenshot_in (widget, "ui-members", name);
}

static gboolean
member_dialog_closed (gpointer data)
{
  return till_checkout_view_get_member_dialog (data) == NULL;
}

static TillMemberDialog *
open_member_dialog (Fixture *fixture, const char *action)
{
  TillMemberDialog *dialog;

  activate (fixture, action, NULL);
  dialog = till_checkout_view_get_member_dialog (fixture->view);
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  return dialog;
}

static void
tap (GtkWidget *button)
{
  g_signal_emit_by_name (button, "clicked");
}

static void
assert_no_full_phone (Fixture *fixture)
{
  g_autoptr (GString) texts = g_string_new (NULL);

  collect_labels (GTK_WIDGET (fixture->window), texts);
  ck_assert_msg (strstr (texts->str, PHONE) == NULL, "the full phone is on screen");
}

/* /app/ui/members/flow */
START_TEST (test_members_flow)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillSale) first = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_auto (GStrv) suggestions = NULL;
  TillStore        *store;
  TillMemberKey    *key;
  TillMemberDialog *dialog;
  char             *strip;
  gint64            bonus;
  gint64            points;
  gint64            total;
  gint64            cash_due;
  const gint64      points_pay = 300; /* ¥3.00: 300 points at 100 a yuan */
  const gint64      stored_pay = 1000;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  key = till_session_get_member_key (fixture.session);
  ck_assert_ptr_nonnull (key);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);

  /* Register through the dialog's fields: the phone keyed on the find page
   * carries over to the form. */
  dialog = open_member_dialog (&fixture, "sale.member");
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "find");
  till_keypad_set_text (till_member_dialog_get_find_keypad (dialog), PHONE);
  g_signal_emit_by_name (till_member_dialog_get_find_keypad (dialog), "activate");
  /* Nobody has it yet: the refusal says so, without the number. */
  ck_assert_str_ne (till_member_dialog_get_error (dialog), "");
  ck_assert (strstr (till_member_dialog_get_error (dialog), PHONE) == NULL);
  screenshot (GTK_WIDGET (dialog), "01-member-find.png");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "member.show-register", NULL);
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "register");
  ck_assert_str_eq (gtk_editable_get_text (till_member_dialog_get_phone_entry (dialog)), PHONE);
  gtk_editable_set_text (till_member_dialog_get_name_entry (dialog), NAME);
  gtk_editable_set_text (till_member_dialog_get_birthday_entry (dialog), BIRTHDAY);
  gtk_switch_set_active (till_member_dialog_get_opt_out_switch (dialog), TRUE);
  screenshot (GTK_WIDGET (dialog), "02-register-form.png");
  tap (till_member_dialog_get_confirm_button (dialog));
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));

  member = till_member_find_by_phone (store, key, PHONE, &error);
  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (member->phone_masked, PHONE_MASKED);
  ck_assert_str_eq (member->name_masked, NAME_MASKED);
  ck_assert (member->opt_out);
  ck_assert_uint_eq (member->birth_month, 5);
  ck_assert_uint_eq (member->birth_day, 17);
  ck_assert_ptr_nonnull (till_cart_get_member (fixture.cart));
  ck_assert_str_eq (till_cart_get_member (fixture.cart)->id, member->id);
  strip = till_checkout_view_dup_member_text (fixture.view);
  ck_assert_ptr_nonnull (strip);
  ck_assert_msg (strstr (strip, PHONE_MASKED) != NULL && strstr (strip, NAME_MASKED) != NULL, "%s",
                 strip);
  g_free (strip);
  assert_no_full_phone (&fixture);

  /* Taken off, then found again by phone. */
  activate (&fixture, "sale.detach-member", NULL);
  ck_assert_ptr_null (till_cart_get_member (fixture.cart));
  ck_assert_ptr_null (till_checkout_view_dup_member_text (fixture.view));
  dialog = open_member_dialog (&fixture, "sale.member");
  till_keypad_set_text (till_member_dialog_get_find_keypad (dialog), PHONE);
  g_signal_emit_by_name (till_member_dialog_get_find_keypad (dialog), "activate");
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));
  ck_assert_ptr_nonnull (till_cart_get_member (fixture.cart));
  ck_assert_str_eq (till_cart_get_member (fixture.cart)->id, member->id);

  /* Top up ¥100: the bonus shows as it is keyed, and is stored. */
  bonus = till_stored_value_bonus_for (store, 10000, &error);
  ck_assert_msg (error == NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (bonus, 1000); /* 充100送10 */
  dialog = open_member_dialog (&fixture, "sale.top-up");
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "top-up");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "member.quick-amount", "x", (gint64) 10000);
  {
    g_autofree char *bonus_text = till_ui_format_money (bonus);
    g_autofree char *card_text = till_ui_format_money (10000 + bonus);
    g_autofree char *expected =
        g_strdup_printf (_ ("Bonus %s: the card gets %s"), bonus_text, card_text);

    ck_assert_str_eq (till_member_dialog_get_bonus_text (dialog), expected);
  }
  screenshot (GTK_WIDGET (dialog), "03-top-up.png");
  tap (till_member_dialog_get_confirm_button (dialog));
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));
  account = till_stored_value_find_for_member (store, member->id, &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (account->balance, 10000 + bonus);
  {
    g_autofree char *sql = g_strdup_printf (
        "SELECT count(*) FROM sv_ledger WHERE account_id = %" G_GINT64_FORMAT
        " AND ((kind = 'top-up' AND amount = 10000) OR (kind = 'bonus' AND amount = 1000))",
        account->id);

    ck_assert_int_eq (single_int (store, sql, NULL), 2);
  }
  /* The slip goes to the printer queue, with the drawer for the cash. */
  ck_assert_int_eq (
      single_int (store, "SELECT count(*) FROM print_job WHERE kind = 'top-up'", NULL), 1);
  strip = till_checkout_view_dup_member_text (fixture.view);
  {
    g_autofree char *balance = till_ui_format_money (account->balance);

    ck_assert_msg (strstr (strip, balance) != NULL, "%s", strip);
  }
  g_free (strip);

  /* A first sale: A in the cart, B (bought with A in this store) suggested;
   * paid in cash, it earns points. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode_a));
  suggestions = till_checkout_view_dup_suggestion_names (fixture.view);
  ck_assert_uint_le (g_strv_length (suggestions), 3);
  ck_assert_msg (g_strv_contains ((const char *const *) suggestions, fixture.name_b),
                 "%s not suggested", fixture.name_b);
  screenshot (GTK_WIDGET (fixture.window), "04-strip-suggestions.png");
  assert_no_full_phone (&fixture);
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.exact", NULL);
  first = till_sale_load_last (store, &error);
  ck_assert_msg (first != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_member_id (first), member->id);
  ck_assert_str_eq (till_sale_get_member_masked (first), PHONE_MASKED);
  ck_assert_int_eq (till_sale_get_points_earned (first),
                    single_int (store,
                                "SELECT coalesce(sum(points), 0) FROM member_points "
                                "WHERE kind = 'earn' AND sale_uuid = ?",
                                till_sale_get_uuid (first)));
  activate (&fixture, "sale.new", NULL);

  /* Points to spend: an adjustment, as HQ or a manager would give, in a
   * transaction of its own as the ledger wants. */
  ck_assert (till_store_begin (store, NULL));
  ck_assert_msg (_till_loyalty_add_points (store, member->id, "adjust", 1000, 0, NULL, NULL,
                                           g_get_real_time (), &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, NULL));
  points = till_loyalty_points_balance (store, member->id, &error);
  ck_assert_int_eq (points, 1000 + till_sale_get_points_earned (first));

  /* The member QR scanned on the sale screen attaches the member. */
  {
    g_autofree char *qr = till_member_qr_payload (key, member->id);

    ck_assert_ptr_null (till_cart_get_member (fixture.cart));
    activate (&fixture, "sale.scan", g_variant_new_string (qr));
    ck_assert_ptr_nonnull (till_cart_get_member (fixture.cart));
    ck_assert_str_eq (till_cart_get_member (fixture.cart)->id, member->id);
  }

  /* Points, then stored value (the member's card, nothing keyed), then cash. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode_a));
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode_b));
  total = till_cart_get_total (fixture.cart);
  ck_assert_int_gt (total, 2 * (points_pay + stored_pay));
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.tender", g_variant_new_string ("points"));
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "points");
  activate (&fixture, "pay.points", g_variant_new_int64 (points_pay));
  activate (&fixture, "pay.tender", g_variant_new_string ("stored-value"));
  ck_assert_str_eq (till_payment_view_get_panel (fixture.payment), "stored-value");
  {
    g_autofree char *balance = till_ui_format_money (10000 + bonus);

    ck_assert_msg (strstr (till_payment_view_get_stored_value_text (fixture.payment),
                           balance + strlen ("￥")) != NULL,
                   "no balance shown: %s",
                   till_payment_view_get_stored_value_text (fixture.payment));
  }
  activate (&fixture, "pay.stored-value",
            g_variant_new ("(sx)", account->card_no, (gint64) stored_pay));
  screenshot (GTK_WIDGET (fixture.window), "05-payment-points-stored-value.png");
  cash_due = till_payment_get_cash_due (till_session_get_payment (fixture.session));
  activate (&fixture, "pay.exact", NULL);

  sale = till_sale_load_last (store, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_str_ne (till_sale_get_uuid (sale), till_sale_get_uuid (first));
  ck_assert_str_eq (till_sale_get_member_id (sale), member->id);
  ck_assert_uint_eq (till_sale_get_n_payments (sale), 3);
  {
    const TillSalePayment *by_points = till_sale_get_payment (sale, 0);
    const TillSalePayment *by_card = till_sale_get_payment (sale, 1);
    const TillSalePayment *by_cash = till_sale_get_payment (sale, 2);

    ck_assert_str_eq (by_points->method, "points");
    ck_assert_int_eq (by_points->amount, points_pay);
    ck_assert_str_eq (by_card->method, "stored-value");
    ck_assert_int_eq (by_card->amount, stored_pay);
    ck_assert_str_eq (by_card->reference, account->card_no);
    ck_assert_str_eq (by_cash->method, "cash");
    ck_assert_int_eq (by_cash->amount, cash_due);
  }
  /* The ledgers: 300 points redeemed, ¥10 debited, for this sale. */
  ck_assert_int_eq (single_int (store,
                                "SELECT coalesce(sum(points), 0) FROM member_points "
                                "WHERE kind = 'redeem' AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    -points_pay);
  ck_assert_int_eq (single_int (store,
                                "SELECT coalesce(sum(amount), 0) FROM sv_ledger "
                                "WHERE kind = 'debit' AND sale_uuid = ?",
                                till_sale_get_uuid (sale)),
                    -stored_pay);
  ck_assert_int_eq (till_loyalty_points_balance (store, member->id, NULL),
                    points - points_pay + till_sale_get_points_earned (sale));
  {
    g_autoptr (TillStoredValueAccount) after =
        till_stored_value_find_for_member (store, member->id, NULL);

    ck_assert_ptr_nonnull (after);
    ck_assert_int_eq (after->balance, 10000 + bonus - stored_pay);
  }
  activate (&fixture, "sale.new", NULL);

  fixture_teardown (&fixture);
}
END_TEST

static gboolean
override_dialog_closed (gpointer data)
{
  return till_member_dialog_get_override_dialog (data) == NULL;
}

static void
assert_text_has (const char *text, const char *expected)
{
  ck_assert_msg (strstr (text, expected) != NULL, "\"%s\" not in:\n%s", expected, text);
}

/* /app/ui/members/details: the details page's figures are the member's
 * summary; a cashier's "show full details" is refused, then approved by the
 * manager's override, and only then is the full phone on screen; a coupon
 * issued to the member shows as a chip on the strip and applies on tap;
 * points for a gift through the dialog lower the balance (a redemption
 * over the balance is refused, changing nothing). */
START_TEST (test_members_details)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillMember) member = NULL;
  g_autoptr (TillUser) cashier = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (TillMemberSummary) summary = NULL;
  g_autoptr (TillMemberCoupon) coupon = NULL;
  g_autoptr (TillPromotion) promotion = NULL;
  g_autoptr (TillProduct) gift = NULL;
  g_autofree char    *details = NULL;
  g_autofree char    *chips = NULL;
  TillMemberSpec      spec = { .phone = PHONE, .name = NAME, .birthday = BIRTHDAY };
  TillStore          *store;
  TillMemberDialog   *dialog;
  TillOverrideDialog *override;
  gint64              points_before;
  gint64              gift_points;

  fixture_setup (&fixture);
  store = till_session_get_store (fixture.session);
  cashier = till_user_lookup (store, TILL_DEMO_CASHIER_CODE, &error);
  manager = till_user_lookup (store, TILL_DEMO_MANAGER_CODE, &error);
  ck_assert_msg (cashier != NULL && manager != NULL, "%s", error ? error->message : "");
  member =
      till_member_register (store, till_session_get_journal (fixture.session),
                            till_session_get_member_key (fixture.session), cashier, &spec, &error);
  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  /* A coupon promotion the till holds, for the manager to issue. */
  promotion = till_promotion_new ("MEMBER-TEST-CPN", "会员5元券", TILL_PROMOTION_COUPON);
  promotion->coupon_code = g_strdup ("HY5");
  promotion->amount_off = 500;
  ck_assert_msg (till_promotion_save_local (store, till_session_get_journal (fixture.session),
                                            manager, NULL, promotion, &error),
                 "%s", error ? error->message : "");

  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  till_checkout_view_reload_promotions (fixture.view);

  /* Two sales of the member's, for the history, and points to spend. */
  for (guint i = 0; i < 2; i++)
    {
      activate (&fixture, "sale.attach-member", g_variant_new_string (member->id));
      activate (&fixture, "sale.scan",
                g_variant_new_string (i == 0 ? fixture.barcode_a : fixture.barcode_b));
      activate (&fixture, "sale.pay", NULL);
      activate (&fixture, "pay.exact", NULL);
      activate (&fixture, "sale.new", NULL);
    }
  ck_assert (till_store_begin (store, NULL));
  ck_assert_msg (_till_loyalty_add_points (store, member->id, "adjust", 5000, 0, NULL, NULL,
                                           g_get_real_time (), &error),
                 "%s", error ? error->message : "");
  ck_assert (till_store_commit (store, NULL));

  /* Details: the figures are the member's summary, masked, and the last sales. */
  activate (&fixture, "sale.attach-member", g_variant_new_string (member->id));
  dialog = open_member_dialog (&fixture, "sale.member-details");
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "details");
  summary = till_loyalty_member_summary (store, member->id, &error);
  ck_assert_msg (summary != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (summary->visits, 2);
  ck_assert_int_gt (summary->spend, 0);
  details = till_member_dialog_dup_details_text (dialog);
  {
    g_autofree char *spend = till_ui_format_money (summary->spend);
    g_autofree char *visits = g_strdup_printf ("%" G_GINT64_FORMAT "\n", summary->visits);
    g_autofree char *points = g_strdup_printf ("%" G_GINT64_FORMAT "\n", summary->points);
    g_autoptr (GDateTime) last =
        g_date_time_new_from_unix_local (summary->last_visit_us / G_USEC_PER_SEC);
    g_autofree char *last_day = g_date_time_format (last, "%Y-%m-%d");
    g_auto (GStrv) sales = till_loyalty_member_sales (store, member->id, 5, &error);

    assert_text_has (details, PHONE_MASKED);
    assert_text_has (details, NAME_MASKED);
    assert_text_has (details, _ ("Spend"));
    assert_text_has (details, spend);
    assert_text_has (details, visits);
    assert_text_has (details, points);
    assert_text_has (details, last_day);
    ck_assert_ptr_nonnull (sales);
    ck_assert_uint_eq (g_strv_length (sales), 2);
    for (guint i = 0; sales[i] != NULL; i++)
      {
        g_autoptr (TillSale) sale = till_sale_load (store, sales[i], &error);
        g_autofree char *number = NULL;
        g_autofree char *total = NULL;

        ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
        number = till_sale_format_receipt_no (sale);
        total = till_ui_format_money (till_sale_get_total (sale));
        assert_text_has (details, number);
        assert_text_has (details, total);
      }
    for (guint i = 0; summary->favourite_categories != NULL && summary->favourite_categories[i];
         i++)
      assert_text_has (details, summary->favourite_categories[i]);
  }
  ck_assert (strstr (details, PHONE) == NULL);
  /* A cashier may not issue coupons. */
  ck_assert_ptr_null (till_member_dialog_get_issue_coupon_button (dialog));
  screenshot (GTK_WIDGET (dialog), "06-details.png");

  /* Full details: the cashier is refused, the manager approves. */
  ck_assert_str_eq (till_member_dialog_get_personal_text (dialog), "");
  tap (till_member_dialog_get_personal_button (dialog));
  override = till_member_dialog_get_override_dialog (dialog);
  ck_assert_ptr_nonnull (override);
  ck_assert_str_eq (till_member_dialog_get_personal_text (dialog), "");
  ck_assert_str_ne (till_member_dialog_get_error (dialog), "");
  assert_no_full_phone (&fixture);
  {
    g_autoptr (GString) texts = g_string_new (NULL);

    collect_labels (GTK_WIDGET (dialog), texts);
    ck_assert_msg (strstr (texts->str, PHONE) == NULL, "the full phone before approval");
  }
  /* A wrong PIN is refused: still nothing shown. */
  till_override_dialog_set_credentials (override, TILL_DEMO_MANAGER_CODE, "0000");
  gtk_widget_activate_action (GTK_WIDGET (override), "override.approve", NULL);
  ck_assert_str_ne (till_override_dialog_get_error (override), "");
  ck_assert_str_eq (till_member_dialog_get_personal_text (dialog), "");
  till_override_dialog_set_credentials (override, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (override), "override.approve", NULL);
  ck_assert (till_test_wait_until (override_dialog_closed, dialog, WAIT_MS));
  assert_text_has (till_member_dialog_get_personal_text (dialog), PHONE);
  assert_text_has (till_member_dialog_get_personal_text (dialog), NAME);
  assert_text_has (till_member_dialog_get_personal_text (dialog), BIRTHDAY);
  /* Both openings were tried, one went through: journaled. */
  ck_assert_int_ge (
      single_int (store, "SELECT count(*) FROM journal WHERE kind = ?", "member-view"), 1);
  screenshot (GTK_WIDGET (dialog), "07-full-details.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));
  assert_no_full_phone (&fixture);

  /* A coupon issued to the member shows as a chip; a tap presents it. */
  coupon = till_loyalty_issue_coupon (store, till_session_get_journal (fixture.session), manager,
                                      member->id, promotion->code, "manual", &error);
  ck_assert_msg (coupon != NULL, "%s", error ? error->message : "");
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode_a));
  chips = till_checkout_view_dup_member_coupons_text (fixture.view);
  assert_text_has (chips, coupon->code);
  assert_text_has (chips, promotion->name);
  ck_assert_ptr_nonnull (till_checkout_view_get_member_coupon_chip (fixture.view, coupon->code));
  screenshot (GTK_WIDGET (fixture.window), "08-coupon-chips.png");
  ck_assert_int_eq (till_cart_get_promotion_saving (fixture.cart), 0);
  tap (till_checkout_view_get_member_coupon_chip (fixture.view, coupon->code));
  ck_assert (g_strv_contains (till_cart_get_coupons (fixture.cart), coupon->code));
  ck_assert_int_eq (till_cart_get_promotion_saving (fixture.cart), 500);
  /* Presented, it leaves the chips for the sale's coupons. */
  ck_assert_ptr_null (till_checkout_view_get_member_coupon_chip (fixture.view, coupon->code));
  activate (&fixture, "sale.remove-coupon", g_variant_new_string (coupon->code));
  ck_assert_ptr_nonnull (till_checkout_view_get_member_coupon_chip (fixture.view, coupon->code));

  /* Points for a gift: B, at its price in points by the rules (100 a yuan). */
  gift = till_catalog_lookup_barcode (till_session_get_catalog (fixture.session), fixture.barcode_b,
                                      &error);
  ck_assert_msg (gift != NULL, "%s", error ? error->message : "");
  points_before = till_loyalty_points_balance (store, member->id, &error);
  gift_points = till_product_get_price (gift);
  ck_assert_int_ge (points_before, gift_points);
  dialog = open_member_dialog (&fixture, "sale.member-details");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "member.show-gift", NULL);
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "gift");
  till_keypad_set_text (till_member_dialog_get_gift_keypad (dialog), fixture.barcode_b);
  g_signal_emit_by_name (till_member_dialog_get_gift_keypad (dialog), "activate");
  ck_assert_str_eq (till_member_dialog_get_error (dialog), "");
  assert_text_has (till_member_dialog_get_gift_product_text (dialog), fixture.name_b);
  {
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, gift_points);

    ck_assert_str_eq (gtk_editable_get_text (till_member_dialog_get_gift_points_entry (dialog)),
                      expected);
  }
  /* More than the balance: refused, nothing spent. */
  {
    g_autofree char *too_many = g_strdup_printf ("%" G_GINT64_FORMAT, points_before + 1);

    gtk_editable_set_text (till_member_dialog_get_gift_points_entry (dialog), too_many);
    tap (till_member_dialog_get_confirm_button (dialog));
    ck_assert_str_ne (till_member_dialog_get_error (dialog), "");
    ck_assert_str_eq (till_member_dialog_get_page (dialog), "gift");
    ck_assert_int_eq (till_loyalty_points_balance (store, member->id, NULL), points_before);
  }
  {
    g_autofree char *cost = g_strdup_printf ("%" G_GINT64_FORMAT, gift_points);

    gtk_editable_set_text (till_member_dialog_get_gift_points_entry (dialog), cost);
  }
  screenshot (GTK_WIDGET (dialog), "09-gift.png");
  tap (till_member_dialog_get_confirm_button (dialog));
  ck_assert_msg (g_str_equal (till_member_dialog_get_error (dialog), ""), "%s",
                 till_member_dialog_get_error (dialog));
  ck_assert_str_eq (till_member_dialog_get_page (dialog), "details");
  ck_assert_int_eq (till_loyalty_points_balance (store, member->id, NULL),
                    points_before - gift_points);
  ck_assert_int_eq (single_int (store,
                                "SELECT coalesce(sum(points), 0) FROM member_points "
                                "WHERE kind = 'redeem' AND member_id = ?",
                                member->id),
                    -gift_points);
  {
    g_autofree char *after = till_member_dialog_dup_details_text (dialog);
    g_autofree char *balance =
        g_strdup_printf ("%" G_GINT64_FORMAT "\n", points_before - gift_points);
    g_autofree char *strip = till_checkout_view_dup_member_text (fixture.view);
    g_autofree char *strip_points =
        g_strdup_printf (_ ("Points %" PRId64), points_before - gift_points);

    assert_text_has (after, balance);
    assert_text_has (strip, strip_points);
  }
  screenshot (GTK_WIDGET (dialog), "10-gift-redeemed.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));

  /* A manager issues a coupon from the details page: a second chip. */
  activate (&fixture, "win.logout", NULL);
  activate (&fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN));
  ck_assert_ptr_nonnull (till_cart_get_member (fixture.cart));
  dialog = open_member_dialog (&fixture, "sale.member-details");
  ck_assert_ptr_nonnull (till_member_dialog_get_issue_coupon_button (dialog));
  ck_assert_uint_eq (g_list_model_get_n_items (
                         gtk_drop_down_get_model (till_member_dialog_get_coupon_dropdown (dialog))),
                     1);
  tap (till_member_dialog_get_issue_coupon_button (dialog));
  ck_assert_str_eq (till_member_dialog_get_error (dialog), "");
  ck_assert_str_ne (till_member_dialog_get_notice (dialog), "");
  screenshot (GTK_WIDGET (dialog), "11-coupon-issued.png");
  {
    g_autoptr (GPtrArray) coupons = till_loyalty_member_coupons (store, member->id, &error);
    g_autofree char *after = till_checkout_view_dup_member_coupons_text (fixture.view);

    ck_assert_msg (coupons != NULL, "%s", error ? error->message : "");
    ck_assert_uint_eq (coupons->len, 2);
    for (guint i = 0; i < coupons->len; i++)
      {
        TillMemberCoupon *issued = g_ptr_array_index (coupons, i);

        ck_assert_str_eq (issued->promotion, promotion->code);
        assert_text_has (after, issued->code);
      }
  }
  ck_assert_int_eq (single_int (store,
                                "SELECT count(*) FROM member_coupon WHERE member_id = ? "
                                "AND reason = 'manual'",
                                member->id),
                    2);
  gtk_window_destroy (GTK_WINDOW (dialog));
  ck_assert (till_test_wait_until (member_dialog_closed, fixture.view, WAIT_MS));

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_members_suite (void)
{
  Suite *suite = suite_create ("/app/ui/members");
  TCase *tcase = tcase_create ("/app/ui/members");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_members_flow);
  tcase_add_test (tcase, test_members_details);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_members_suite ());
}
