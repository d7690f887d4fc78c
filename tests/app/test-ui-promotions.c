/* test-ui-promotions.c: /app/ui/promotions: the real till under Xvfb with
 * promotions the test saves itself: a 第二件半价 and a 满减 show under the
 * line they touch and as the saving in the totals, the hint bar offers the
 * next tier, a gift line refuses the cashier's acts, a coupon keyed in the
 * dialog applies, a used one is refused with its reason, a coupon under its
 * minimum spend shows as not applied, an unknown code scanned says it is
 * unknown, and the paid sale records the saving.
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
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-ui-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 11
#define WAIT_MS TILL_TEST_WAIT_MS

#define CODE_NTH "T-NTH-HALF"
#define CODE_SPEND "T-SPEND"
#define CODE_GIFT "T-GIFT"
#define CODE_COUPON "T-COUPON-5"
#define CODE_COUPON_BIG "T-COUPON-BIG"
/* Coupon codes are digits, as printed under a coupon's barcode: the keypad
 * keys them and the scanner reads them. */
#define COUPON_SINGLE "88001234"
#define COUPON_BIG "88005678"
/* A well-formed EAN-13 (check digit 7) no product of the demo has. */
#define UNKNOWN_CODE "6999999999997"

typedef struct
{
  char             *dir;
  char             *db_path;
  char             *config_path;
  char             *barcode; /* the promoted product, counted */
  char             *sku;
  gint64            price;
  char             *gift_sku; /* the gift, another counted product */
  char             *gift_name;
  TillApplication  *app;
  TillWindow       *window;
  TillSession      *session;
  TillCart         *cart;
  TillCheckoutView *view;
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

static TillCheckoutView *
find_checkout_view (GtkWidget *widget)
{
  if (TILL_IS_CHECKOUT_VIEW (widget))
    return TILL_CHECKOUT_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      TillCheckoutView *found = find_checkout_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
set_strv (GStrv *field, const char *value)
{
  const char *values[] = { value, NULL };

  g_strfreev (*field);
  *field = g_strdupv ((char **) values);
}

static void
add_tier (TillPromotion *promotion, gint64 min_amount, gint64 amount_off)
{
  TillPromotionTier tier = { min_amount, amount_off };

  g_array_append_val (promotion->tiers, tier);
}

/* Half-up, to the fen: what 50 % off one unit saves. */
static gint64
half_of (gint64 fen)
{
  return (fen + 1) / 2;
}

/* Two of the product at half price for the second, then what is left. */
static gint64
after_line_promotions (Fixture *fixture)
{
  return 2 * fixture->price - half_of (fixture->price);
}

/* The manager's promotions, saved as on the back-office screen: 第二件半价 on
 * the product, a 满减 whose first tier the two units reach and whose second
 * is ¥10 away, a gift with two of the product, and two coupons. */
static void
save_promotions (Fixture *fixture)
{
  TillStore   *store = till_session_get_store (fixture->session);
  TillJournal *journal = till_session_get_journal (fixture->session);
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (GError) error = NULL;
  gint64         reached = after_line_promotions (fixture);
  TillPromotion *promotions[5];

  manager = till_user_lookup (store, TILL_DEMO_MANAGER_CODE, &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");

  promotions[0] = till_promotion_new (CODE_NTH, "第二件半价", TILL_PROMOTION_NTH_ITEM);
  promotions[0]->nth_item = 2;
  promotions[0]->percent_bp = 5000;
  set_strv (&promotions[0]->skus, fixture->sku);

  promotions[1] = till_promotion_new (CODE_SPEND, "满额立减", TILL_PROMOTION_THRESHOLD);
  add_tier (promotions[1], (reached / 200) * 100, 100);
  add_tier (promotions[1], reached + 1000, 300);

  promotions[2] = till_promotion_new (CODE_GIFT, "买二送一", TILL_PROMOTION_GIFT);
  set_strv (&promotions[2]->skus, fixture->sku);
  promotions[2]->min_quantity = 2 * TILL_QUANTITY_ONE;
  promotions[2]->gift_sku = g_strdup (fixture->gift_sku);
  promotions[2]->gift_quantity = TILL_QUANTITY_ONE;

  promotions[3] = till_promotion_new (CODE_COUPON, "5元优惠券", TILL_PROMOTION_COUPON);
  promotions[3]->coupon_code = g_strdup (COUPON_SINGLE);
  promotions[3]->amount_off = 500;
  promotions[3]->min_amount = 600;

  promotions[4] = till_promotion_new (CODE_COUPON_BIG, "满千减百券", TILL_PROMOTION_COUPON);
  promotions[4]->coupon_code = g_strdup (COUPON_BIG);
  promotions[4]->coupon_multi_use = TRUE;
  promotions[4]->amount_off = 10000;
  promotions[4]->min_amount = 100000;

  for (guint i = 0; i < G_N_ELEMENTS (promotions); i++)
    {
      ck_assert_msg (
          till_promotion_save_local (store, journal, manager, NULL, promotions[i], &error),
          "%s: %s", promotions[i]->code, error ? error->message : "");
      till_promotion_free (promotions[i]);
    }
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *price = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n", fixture->db_path);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  /* Only this test's promotions: the demo's may change under another issue. */
  ck_assert_int_eq (sqlite3_exec (till_store_get_db (store),
                                  "DELETE FROM promotion; "
                                  "DELETE FROM master_row WHERE channel = 'promotions';",
                                  NULL, NULL, NULL),
                    SQLITE_OK);
  fixture->barcode =
      single_text (store, "SELECT b.code FROM barcode b JOIN product p "
                          "ON p.id = b.product_id WHERE p.active AND NOT p.weighed "
                          "AND length(b.code) = 13 AND p.price BETWEEN 1000 AND 3000 "
                          "ORDER BY p.id LIMIT 1");
  ck_assert_ptr_nonnull (fixture->barcode);
  {
    g_autofree char *sql = g_strdup_printf (
        "SELECT p.sku FROM product p JOIN barcode b ON b.product_id = p.id WHERE b.code = '%s'",
        fixture->barcode);
    g_autofree char *price_sql = g_strdup_printf (
        "SELECT p.price FROM product p JOIN barcode b ON b.product_id = p.id WHERE b.code = '%s'",
        fixture->barcode);

    fixture->sku = single_text (store, sql);
    price = single_text (store, price_sql);
  }
  ck_assert_ptr_nonnull (fixture->sku);
  ck_assert_ptr_nonnull (price);
  fixture->price = g_ascii_strtoll (price, NULL, 10);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT sku FROM product WHERE active AND NOT weighed "
                                            "AND sku <> '%s' AND price > 0 ORDER BY id LIMIT 1",
                                            fixture->sku);
    g_autofree char *name_sql = NULL;

    fixture->gift_sku = single_text (store, sql);
    ck_assert_ptr_nonnull (fixture->gift_sku);
    name_sql = g_strdup_printf ("SELECT name FROM product WHERE sku = '%s'", fixture->gift_sku);
    fixture->gift_name = single_text (store, name_sql);
  }
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->cart = till_session_get_cart (fixture->session);
  fixture->view = find_checkout_view (GTK_WIDGET (fixture->window));
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
  g_free (fixture->barcode);
  g_free (fixture->sku);
  g_free (fixture->gift_sku);
  g_free (fixture->gift_name);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

/* Saves what @widget shows as test-output/ui-promotions/@name. */
static void
screenshot (GtkWidget *widget, const char *name)
{
  till_test_save_screenshot_in (widget, "ui-promotions", name);
}

static char *
money (gint64 fen)
{
  return till_ui_format_money (fen);
}

static void
assert_status (Fixture *fixture, const char *expected, gboolean expected_error)
{
  gboolean    is_error = !expected_error;
  const char *status = till_checkout_view_get_status (fixture->view, &is_error);

  ck_assert_str_eq (status, expected);
  ck_assert_int_eq (is_error, expected_error);
}

static gboolean
coupon_dialog_closed (gpointer data)
{
  return till_checkout_view_get_coupon_dialog (data, NULL) == NULL;
}

/* Opens the coupon dialog with the Coupon button's action and keys @code. */
static GtkWidget *
key_coupon (Fixture *fixture, const char *code)
{
  GtkWidget  *dialog;
  TillKeypad *keypad;

  activate (fixture, "sale.coupon", g_variant_new_string (""));
  dialog = till_checkout_view_get_coupon_dialog (fixture->view, NULL);
  ck_assert_ptr_nonnull (dialog);
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  keypad = till_checkout_view_get_coupon_keypad (fixture->view);
  ck_assert_ptr_nonnull (keypad);
  till_keypad_set_text (keypad, code);
  return dialog;
}

/* The Apply key on the dialog's keypad. */
static void
press_apply (Fixture *fixture)
{
  g_signal_emit_by_name (till_checkout_view_get_coupon_keypad (fixture->view), "activate");
}

/* /app/ui/promotions/flow */
START_TEST (test_promotions_flow)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  const TillPricingResult *pricing;
  const TillPricingHint   *hint;
  const char              *dialog_error = NULL;
  GtkWidget               *dialog;
  gint64                   nth_saving;
  gint64                   subtotal_before;
  char                    *text;

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  /* No promotions yet: no saving row, no hint, no coupons. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode));
  ck_assert_ptr_null (till_checkout_view_get_promotion_saving_text (fixture.view));
  ck_assert_ptr_null (till_checkout_view_get_hint_text (fixture.view));
  text = till_checkout_view_dup_line_promotions_text (fixture.view, 0);
  ck_assert_str_eq (text, "");
  g_free (text);

  /* The manager's promotions arrive (as a sync pull or an edit would bring
   * them): the open sale is priced with them at once. */
  save_promotions (&fixture);
  till_checkout_view_reload_promotions (fixture.view);
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2); /* two units and the gift */
  ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (fixture.cart, 0)),
                    2 * TILL_QUANTITY_ONE);

  /* The saving: half of one unit, and the first tier's ¥1.00. */
  nth_saving = half_of (fixture.price);
  ck_assert_int_eq (till_cart_get_promotion_saving (fixture.cart), nth_saving + 100);
  {
    g_autofree char *expected = money (-(nth_saving + 100));

    ck_assert_pstr_eq (till_checkout_view_get_promotion_saving_text (fixture.view), expected);
  }
  /* Under the line: what it was, then each promotion's share. */
  {
    g_autofree char *before = money (2 * fixture.price);
    g_autofree char *nth = money (-nth_saving);
    g_autofree char *spend = money (-100);
    g_autofree char *expected =
        g_strdup_printf ("%s\n第二件半价 %s\n满额立减 %s", before, nth, spend);

    text = till_checkout_view_dup_line_promotions_text (fixture.view, 0);
    ck_assert_pstr_eq (text, expected);
    g_free (text);
  }
  /* The gift line, labelled as such, free. */
  ck_assert_pstr_eq (till_cart_line_get_gift_code (till_cart_get_line (fixture.cart, 1)),
                     CODE_GIFT);
  ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (fixture.cart, 1)), 0);
  {
    g_autofree char *expected = g_strdup_printf ("%s 买二送一", _ ("Gift"));

    text = till_checkout_view_dup_line_promotions_text (fixture.view, 1);
    ck_assert_pstr_eq (text, expected);
    g_free (text);
  }
  /* The hint: ¥10.00 short of the second tier. */
  pricing = till_cart_get_pricing (fixture.cart);
  ck_assert_uint_gt (pricing->hints->len, 0);
  hint = g_ptr_array_index (pricing->hints, 0);
  ck_assert_str_eq (hint->code, CODE_SPEND);
  ck_assert_int_eq (hint->missing_amount, 1000);
  {
    g_autofree char *missing = money (hint->missing_amount);
    g_autofree char *saving = money (hint->saving);
    g_autofree char *expected =
        g_strdup_printf (_ ("Spend %s more for %s (save %s)"), missing, "满额立减", saving);

    ck_assert_pstr_eq (till_checkout_view_get_hint_text (fixture.view), expected);
  }
  screenshot (GTK_WIDGET (fixture.window), "01-lines-hint.png");

  /* The gift follows its promotion: every act on it says so, and it stays. */
  activate (&fixture, "sale.select-line", g_variant_new_uint32 (1));
  {
    g_autofree char *expected = g_strdup_printf (
        _ ("%s is a gift of a promotion: it comes and goes with the promotion"), fixture.gift_name);
    const char *acts[][2] = {
      { "sale.delete-line", NULL },
      { "sale.set-quantity", "3" },
      { "sale.override-price", "1" },
      { "sale.discount-line", "10" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (acts); i++)
      {
        /* A fresh status line, so that each act's refusal is its own. */
        till_checkout_view_show_message (fixture.view, "");
        activate (&fixture, acts[i][0],
                  acts[i][1] != NULL ? g_variant_new_string (acts[i][1]) : NULL);
        ck_assert_ptr_null (till_checkout_view_get_override_dialog (fixture.view));
        assert_status (&fixture, expected, TRUE);
        ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
        ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (fixture.cart, 1)),
                          TILL_QUANTITY_ONE);
        ck_assert_int_eq (till_cart_line_get_amount (till_cart_get_line (fixture.cart, 1)), 0);
      }
  }

  /* A coupon keyed in the dialog: it applies and the total drops by ¥5.00. */
  subtotal_before = till_cart_get_subtotal (fixture.cart);
  dialog = key_coupon (&fixture, COUPON_SINGLE);
  screenshot (dialog, "02-coupon-dialog.png");
  press_apply (&fixture);
  ck_assert (till_test_wait_until (coupon_dialog_closed, fixture.view, WAIT_MS));
  ck_assert_int_eq (subtotal_before - till_cart_get_subtotal (fixture.cart), 500);
  ck_assert_int_eq (till_cart_get_promotion_saving (fixture.cart), nth_saving + 100 + 500);
  {
    g_autofree char *total = money (till_cart_get_total (fixture.cart));
    g_autofree char *saving = money (-(nth_saving + 600));
    g_autofree char *status = g_strdup_printf (_ ("Coupon applied: %s"), "5元优惠券");
    g_autofree char *chip = g_strdup_printf ("%s · %s", "5元优惠券", COUPON_SINGLE);
    g_autofree char *chips = till_checkout_view_dup_coupons_text (fixture.view);

    ck_assert_str_eq (till_checkout_view_get_total_text (fixture.view), total);
    ck_assert_pstr_eq (till_checkout_view_get_promotion_saving_text (fixture.view), saving);
    assert_status (&fixture, status, FALSE);
    ck_assert_str_eq (chips, chip);
  }
  text = till_checkout_view_dup_line_promotions_text (fixture.view, 0);
  ck_assert_msg (strstr (text, "5元优惠券") != NULL, "%s", text);
  g_free (text);

  /* A coupon under its minimum spend, scanned: taken, shown as not applied
   * with its minimum, and taken off again with its ×. */
  activate (&fixture, "sale.scan", g_variant_new_string (COUPON_BIG));
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 2);
  ck_assert_int_eq (till_cart_get_promotion_saving (fixture.cart), nth_saving + 600);
  {
    g_autofree char *minimum = money (100000);
    g_autofree char *chip =
        g_strdup_printf (_ ("%s\nNot applied: minimum spend %s"), "满千减百券", minimum);
    g_autofree char *chips = till_checkout_view_dup_coupons_text (fixture.view);
    g_autofree char *expected = g_strdup_printf ("%s · %s\n%s", "5元优惠券", COUPON_SINGLE, chip);

    ck_assert_str_eq (chips, expected);
  }
  screenshot (GTK_WIDGET (fixture.window), "03-coupons.png");
  activate (&fixture, "sale.remove-coupon", g_variant_new_string (COUPON_BIG));
  {
    g_autofree char *chips = till_checkout_view_dup_coupons_text (fixture.view);
    g_autofree char *chip = g_strdup_printf ("%s · %s", "5元优惠券", COUPON_SINGLE);

    ck_assert_str_eq (chips, chip);
  }

  /* An unknown code scanned: no product, no coupon: the barcode is unknown. */
  activate (&fixture, "sale.scan", g_variant_new_string (UNKNOWN_CODE));
  {
    g_autofree char *expected =
        g_strdup_printf (_ ("Unknown barcode %s: nothing was added."), UNKNOWN_CODE);

    assert_status (&fixture, expected, TRUE);
  }

  /* Paid: the sale records what the promotions saved. */
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.exact", NULL);
  activate (&fixture, "sale.new", NULL);
  ck_assert_uint_eq (till_cart_get_n_lines (fixture.cart), 0);
  ck_assert_ptr_null (till_checkout_view_get_promotion_saving_text (fixture.view));
  ck_assert_ptr_null (till_checkout_view_get_hint_text (fixture.view));
  {
    g_autofree char *chips = till_checkout_view_dup_coupons_text (fixture.view);

    ck_assert_str_eq (chips, "");
  }
  sale = till_sale_load_last (till_session_get_store (fixture.session), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_promotion_saving (sale), nth_saving + 600);
  ck_assert_uint_ge (till_sale_get_n_promotions (sale), 3);

  /* The single-use coupon again, on a new sale: refused with its reason, in
   * the dialog and on the status line; nothing is taken. */
  activate (&fixture, "sale.scan", g_variant_new_string (fixture.barcode));
  dialog = key_coupon (&fixture, COUPON_SINGLE);
  press_apply (&fixture);
  ck_assert_ptr_eq (till_checkout_view_get_coupon_dialog (fixture.view, &dialog_error), dialog);
  {
    g_autoptr (GPtrArray) promotions = NULL;
    g_autoptr (TillPromotion) found = NULL;
    g_autoptr (GError) refusal = NULL;
    g_autofree char *chips = till_checkout_view_dup_coupons_text (fixture.view);
    TillStore       *store = till_session_get_store (fixture.session);
    g_autofree char *store_id = NULL;
    g_autofree char *group_id = NULL;

    ck_assert (till_promotion_read_scope (store, &store_id, &group_id, NULL));
    promotions = till_promotion_load_all (store, store_id, group_id, NULL);
    ck_assert_ptr_nonnull (promotions);
    found =
        till_promotion_find_coupon (promotions, store, COUPON_SINGLE, g_get_real_time (), &refusal);
    ck_assert_ptr_null (found);
    ck_assert (g_error_matches (refusal, TILL_PROMOTION_ERROR, TILL_PROMOTION_ERROR_COUPON));
    ck_assert_str_eq (dialog_error, refusal->message);
    assert_status (&fixture, refusal->message, TRUE);
    ck_assert_str_eq (chips, "");
  }
  screenshot (dialog, "04-coupon-refused.png");
  screenshot (GTK_WIDGET (fixture.window), "05-coupon-refused-screen.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ck_assert_ptr_null (till_checkout_view_get_coupon_dialog (fixture.view, NULL));

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_promotions_suite (void)
{
  Suite *suite = suite_create ("/app/ui/promotions");
  TCase *tcase = tcase_create ("/app/ui/promotions");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_promotions_flow);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_promotions_suite ());
}
