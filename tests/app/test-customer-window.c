/* test-customer-window.c: /app/ui/customer-window: the second screen under Xvfb,
 * bound to a real cart of a demo store, at the sizes of common second monitors.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sqlite3.h>

#include "till-application.h"
#include "till-customer-window.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-ui-util.h"

#define DEMO_SKUS 300
#define DEMO_SEED 7
#define WAIT_MS TILL_TEST_WAIT_MS

static const struct
{
  int width;
  int height;
} sizes[] = { { 1024, 768 }, { 1280, 800 } };

/* ---- Waiting and screenshots (as in test-ui-checkout.c) ------------------------ */

static void
save_screenshot (GtkWidget *widget, int size_width, int size_height, const char *page)
{
  /* Named by the window's size (the widget is a few pixels smaller: the frame). */
  g_autofree char *name = g_strdup_printf ("customer-%dx%d-%s.png", size_width, size_height, page);

  till_test_save_screenshot (widget, name);
}

/* Whether a label showing exactly @text is drawn somewhere under @widget. */
static gboolean
shows_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

static GtkScrolledWindow *
find_scrolled_window (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    return GTK_SCROLLED_WINDOW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkScrolledWindow *found = find_scrolled_window (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* ---- A demo store and its cart ---------------------------------------------------- */

static GArray *
product_ids (TillStore *store, const char *sql)
{
  GArray       *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_finalize (stmt);
  return ids;
}

static TillCartLine *
add (TillCart *cart, TillCatalog *catalog, gint64 id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, id, &error);
  TillCartLine *line;

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  line = till_cart_add_product (cart, product, quantity, &error);
  ck_assert_msg (line != NULL, "%s", error ? error->message : "");
  return line;
}

/* /app/ui/customer-window/sale: welcome, the cart as it grows, a payment QR,
 * the change, and back to the welcome; at 1024×768 and 1280×800. */
START_TEST (test_customer_window_sale)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *db_path = g_build_filename (dir, "till.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (GArray) counted = NULL;
  g_autoptr (GArray) weighed = NULL;
  g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();
  g_autofree char    *store_name = NULL;
  g_autofree char    *expected = NULL;
  TillCustomerWindow *window;
  TillCartLine       *last = NULL;
  GdkTexture         *qr;
  gint64              total, paid;

  till_application_setup_i18n ("zh_CN");
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_css_provider_load_from_resource (css, "/org/opentill/Till/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  store = till_store_open (db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  catalog = till_catalog_new (store);
  cart = till_cart_new (store, catalog);
  counted = product_ids (store, "SELECT id FROM product WHERE active AND NOT weighed "
                                "ORDER BY popularity DESC, id LIMIT 14");
  weighed = product_ids (store, "SELECT id FROM product WHERE active AND weighed "
                                "ORDER BY id LIMIT 1");
  ck_assert_uint_eq (counted->len, 14);
  ck_assert_uint_eq (weighed->len, 1);
  store_name = till_store_get_setting (store, "store.name");

  window = till_customer_window_new (cart);
  gtk_window_set_default_size (GTK_WINDOW (window), sizes[_i].width, sizes[_i].height);
  gtk_window_present (GTK_WINDOW (window));
  ck_assert_msg (till_test_wait_until (till_test_is_mapped, window, WAIT_MS),
                 "the window never mapped");

  /* Between customers: the welcome page with the store's name. */
  ck_assert_str_eq (till_customer_window_get_page (window), "idle");
  ck_assert_str_eq (till_customer_window_get_store_name (window), store_name);
  save_screenshot (GTK_WIDGET (window), sizes[_i].width, sizes[_i].height, "1-idle");

  /* The first scan shows the cart; each line with its name and amount. */
  add (cart, catalog, g_array_index (counted, gint64, 0), 3 * TILL_QUANTITY_ONE);
  ck_assert_str_eq (till_customer_window_get_page (window), "sale");
  add (cart, catalog, g_array_index (weighed, gint64, 0), 532);
  for (guint i = 1; i < 4; i++)
    last = add (cart, catalog, g_array_index (counted, gint64, i), TILL_QUANTITY_ONE);
  total = till_cart_get_total (cart);
  expected = till_ui_format_money (total);
  ck_assert_str_eq (till_customer_window_get_total_text (window), expected);
  till_test_wait_for_frames (GTK_WIDGET (window), 2);
  ck_assert (
      shows_label (GTK_WIDGET (window), till_product_get_name (till_cart_line_get_product (last))));
  {
    g_autofree char *amount = till_ui_format_money (till_cart_line_get_amount (last));
    ck_assert (shows_label (GTK_WIDGET (window), amount));
  }
  save_screenshot (GTK_WIDGET (window), sizes[_i].width, sizes[_i].height, "2-sale");

  /* Scanning the same item again updates its line in place. */
  {
    TillCartLine    *first = till_cart_get_line (cart, 0);
    g_autofree char *before = till_ui_format_money (till_cart_line_get_amount (first));
    g_autofree char *after = NULL;

    add (cart, catalog, g_array_index (counted, gint64, 0), TILL_QUANTITY_ONE);
    after = till_ui_format_money (till_cart_line_get_amount (first));
    ck_assert_str_ne (before, after);
    till_test_wait_for_frames (GTK_WIDGET (window), 2);
    ck_assert (shows_label (GTK_WIDGET (window), after));
  }

  /* A long basket: the newest line stays in sight. */
  for (guint i = 4; i < counted->len; i++)
    last = add (cart, catalog, g_array_index (counted, gint64, i), TILL_QUANTITY_ONE);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), counted->len + 1);
  till_test_wait_for_frames (GTK_WIDGET (window), 3);
  {
    GtkAdjustment *adjustment =
        gtk_scrolled_window_get_vadjustment (find_scrolled_window (GTK_WIDGET (window)));

    /* The list is longer than the screen, and shows its end. */
    ck_assert_double_gt (gtk_adjustment_get_upper (adjustment),
                         gtk_adjustment_get_page_size (adjustment));
    ck_assert_double_ge (gtk_adjustment_get_value (adjustment) +
                             gtk_adjustment_get_page_size (adjustment),
                         gtk_adjustment_get_upper (adjustment) - 1);
    ck_assert (shows_label (GTK_WIDGET (window),
                            till_product_get_name (till_cart_line_get_product (last))));
  }
  save_screenshot (GTK_WIDGET (window), sizes[_i].width, sizes[_i].height, "3-long");

  /* A payment QR code beside the total. */
  ck_assert_ptr_null (till_customer_window_get_qr_texture (window));
  ck_assert_msg (
      till_customer_window_show_qr (window, "weixin://wxpay/bizpayurl?pr=Xq3Z0aB", &error), "%s",
      error ? error->message : "");
  qr = till_customer_window_get_qr_texture (window);
  ck_assert_ptr_nonnull (qr);
  /* Whole modules, each 8 px, with the 4-module quiet zone on every side. */
  ck_assert_int_eq (gdk_texture_get_width (qr), gdk_texture_get_height (qr));
  ck_assert_int_eq (gdk_texture_get_width (qr) % 8, 0);
  ck_assert_int_ge (gdk_texture_get_width (qr) / 8, 21 + 8);
  save_screenshot (GTK_WIDGET (window), sizes[_i].width, sizes[_i].height, "4-qr");
  till_customer_window_hide_qr (window);
  ck_assert_ptr_null (till_customer_window_get_qr_texture (window));

  /* Paid: the figures stay after the cart moves on to the next sale. */
  total = till_cart_get_total (cart);
  paid = ((total + 9999) / 10000) * 10000;
  till_customer_window_show_paid (window, total, paid, paid - total);
  ck_assert (till_cart_clear (cart, &error));
  ck_assert_str_eq (till_customer_window_get_page (window), "paid");
  g_free (expected);
  expected = till_ui_format_money (paid - total);
  ck_assert_str_eq (till_customer_window_get_change_text (window), expected);
  save_screenshot (GTK_WIDGET (window), sizes[_i].width, sizes[_i].height, "5-paid");

  /* Next customer: the welcome, then the first scan shows the new cart. */
  till_customer_window_show_idle (window);
  ck_assert_str_eq (till_customer_window_get_page (window), "idle");
  add (cart, catalog, g_array_index (counted, gint64, 5), TILL_QUANTITY_ONE);
  ck_assert_str_eq (till_customer_window_get_page (window), "sale");
  ck_assert (till_cart_clear (cart, &error));
  ck_assert_str_eq (till_customer_window_get_page (window), "idle");

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&cart);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (dir);
}
END_TEST

static Suite *
customer_window_suite (void)
{
  Suite *suite = suite_create ("customer-window");
  TCase *tcase = tcase_create ("app/ui/customer-window");

  tcase_set_timeout (tcase, 120);
  tcase_add_loop_test (tcase, test_customer_window_sale, 0, G_N_ELEMENTS (sizes));
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (customer_window_suite ());
}
