/* test-ui-devices.c: /app/ui/devices: the real till under Xvfb with its devices
 * on simulators over pseudo-terminals: pole display, customer window, serial
 * and camera scanners, scale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <qrencode.h>
#include <sqlite3.h>
#include <string.h>

#include <till-display-sim.h>
#include <till-hw.h>
#include <till-printer-sim.h>
#include <till-scale-sim.h>
#include <till-scanner-sim.h>

#include "till-application.h"
#include "till-customer-window.h"
#include "till-devices.h"
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
  TillApplication *app;
  TillWindow      *window;
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

/* A demo shop and a config whose [devices] group is @devices; returns what
 * @sql (may be NULL) finds in the demo shop. */
static char *
fixture_setup (Fixture *fixture, const char *devices, const char *sql)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  char            *found = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n[devices]\n%s\n",
                            fixture->db_path, devices);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));
  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, NULL));
  if (sql != NULL)
    {
      found = single_text (store, sql);
      ck_assert_msg (found != NULL, "nothing in the demo shop for %s", sql);
    }
  return found;
}

static void
fixture_start_app (Fixture *fixture)
{
  fixture->window = till_test_start_till (NULL, fixture->config_path, TRUE, &fixture->app);
  ck_assert_ptr_nonnull (till_window_get_session (fixture->window));
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
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static void
sign_in (Fixture *fixture)
{
  till_test_sign_in (fixture->window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
}

static TillCart *
fixture_cart (Fixture *fixture)
{
  return till_session_get_cart (till_window_get_session (fixture->window));
}

typedef struct
{
  TillCart *cart;
  guint     wanted;
} LineWait;

static gboolean
enough_lines (gpointer data)
{
  LineWait *wait = data;
  return till_cart_get_n_lines (wait->cart) >= wait->wanted;
}

#define COUNTED_BARCODE_SQL                                             \
  "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id " \
  "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 ORDER BY p.id LIMIT 1"

/* ---- Pole display ---------------------------------------------------------- */

/* The amount an LED display shows, in fen ("23.50" → 2350), or -1. */
static gint64
display_fen (TillDisplaySim *sim)
{
  g_autofree char *digits = till_display_sim_dup_digits (sim);
  char            *end = NULL;
  double           value = g_ascii_strtod (digits, &end);

  if (digits[0] == '\0' || end == digits)
    return -1;
  return (gint64) (value * 100 + (value < 0 ? -0.5 : 0.5));
}

static void
sync_display (Fixture *fixture, TillDisplaySim *sim)
{
  TillPoleDisplay *display = till_devices_get_display (till_application_get_devices (fixture->app));

  ck_assert_ptr_nonnull (display);
  ck_assert_msg (till_pole_display_wait_idle (display, WAIT_MS),
                 "the display never got its update");
  ck_assert_msg (till_display_sim_sync (sim, WAIT_MS), "the simulator never decoded the bytes");
}

/* /app/ui/devices/pole-display: an 8-digit LED 客显 on a pty shows the scanned
 * line's amount with the price lamp, the total on the payment screen, then the
 * change with the change lamp after a cash sale. */
START_TEST (test_pole_display)
{
  Fixture fixture = { 0 };
  g_autoptr (TillDisplaySim) sim = till_display_sim_new ("led8", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *devices = NULL;
  g_autofree char *barcode = NULL;
  g_autofree char *png = till_test_output_path ("screenshots", "40-pole-display-change.png");
  g_autoptr (TillCartLine) line = NULL;
  TillCart *cart;
  gint64    total;
  gint64    tendered;

  ck_assert_msg (till_display_sim_open_pty (sim, &path, &error), "%s", error ? error->message : "");
  devices = g_strdup_printf ("display=serial://%s?baud=2400&protocol=led8", path);
  barcode = fixture_setup (&fixture, devices, COUNTED_BARCODE_SQL);
  fixture_start_app (&fixture);
  sign_in (&fixture);
  cart = fixture_cart (&fixture);

  activate (&fixture, "sale.scan", g_variant_new_string (barcode));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  line = till_cart_get_line (cart, 0);
  g_object_ref (line);
  sync_display (&fixture, sim);
  ck_assert_int_eq (display_fen (sim), till_cart_line_get_amount (line));
  ck_assert_uint_eq (till_display_sim_get_lamps (sim), TILL_DISPLAY_SIM_LAMP_PRICE);

  activate (&fixture, "sale.pay", NULL);
  total = till_cart_get_total (cart);
  sync_display (&fixture, sim);
  ck_assert_int_eq (display_fen (sim), total);
  ck_assert_uint_eq (till_display_sim_get_lamps (sim), TILL_DISPLAY_SIM_LAMP_TOTAL);

  tendered = ((total + 9999) / 10000) * 10000;
  activate (&fixture, "pay.cash", g_variant_new_int64 (tendered));
  sync_display (&fixture, sim);
  ck_assert_int_eq (display_fen (sim), tendered - total);
  ck_assert_uint_eq (till_display_sim_get_lamps (sim), TILL_DISPLAY_SIM_LAMP_CHANGE);
  ck_assert (till_display_sim_render_png (sim, png, NULL));
  g_print ("screenshot: %s\n", png);
  ck_assert_str_eq (till_window_get_device_status_text (fixture.window), "");

  /* The display unplugged: the top bar says so, the till goes on. */
  till_display_sim_unplug (sim);
  activate (&fixture, "sale.new", NULL);
  {
    TillPoleDisplay *display =
        till_devices_get_display (till_application_get_devices (fixture.app));

    till_pole_display_wait_idle (display, WAIT_MS);
  }
  till_test_wait_until ((TillTestPredicate) (void *) till_devices_get_message,
                        till_application_get_devices (fixture.app), WAIT_MS);
  ck_assert_ptr_nonnull (
      till_devices_get_display_message (till_application_get_devices (fixture.app)));
  ck_assert_str_ne (till_window_get_device_status_text (fixture.window), "");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "41-pole-display-unplugged.png");

  fixture_teardown (&fixture);
}
END_TEST

/* ---- Customer window --------------------------------------------------------- */

/* /app/ui/devices/customer-window-auto: "auto" with the one monitor Xvfb has:
 * no customer window. */
START_TEST (test_customer_window_auto)
{
  Fixture fixture = { 0 };

  g_free (fixture_setup (&fixture, "customer-screen=auto", NULL));
  fixture_start_app (&fixture);
  ck_assert_uint_eq (
      g_list_model_get_n_items (gdk_display_get_monitors (gdk_display_get_default ())), 1);
  ck_assert_ptr_null (
      till_devices_get_customer_window (till_application_get_devices (fixture.app)));
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/devices/customer-window-forced: customer-screen=0 puts it on monitor
 * 0, showing the till's cart; after the sale it shows what was paid. */
START_TEST (test_customer_window_forced)
{
  Fixture             fixture = { 0 };
  g_autofree char    *barcode = NULL;
  GtkWindow          *customer;
  TillCustomerWindow *shown;
  gint64              total;

  barcode = fixture_setup (&fixture, "customer-screen=0", COUNTED_BARCODE_SQL);
  fixture_start_app (&fixture);
  customer = till_devices_get_customer_window (till_application_get_devices (fixture.app));
  ck_assert_ptr_nonnull (customer);
  shown = TILL_CUSTOMER_WINDOW (customer);
  ck_assert_ptr_eq (till_customer_window_get_cart (shown), fixture_cart (&fixture));
  ck_assert_msg (till_test_wait_until (till_test_is_mapped, customer, WAIT_MS),
                 "the customer window never mapped");
  ck_assert_str_eq (till_customer_window_get_page (shown), "idle");

  sign_in (&fixture);
  activate (&fixture, "sale.scan", g_variant_new_string (barcode));
  activate (&fixture, "sale.scan", g_variant_new_string (barcode));
  ck_assert_str_eq (till_customer_window_get_page (shown), "sale");
  total = till_cart_get_total (fixture_cart (&fixture));
  {
    g_autofree char *text = till_ui_format_money (total);
    ck_assert_ptr_nonnull (
        strstr (till_customer_window_get_total_text (shown), text + strlen ("￥")));
  }
  till_test_save_screenshot (GTK_WIDGET (customer), "42-customer-window-sale.png");

  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.cash", g_variant_new_int64 (((total + 9999) / 10000) * 10000));
  ck_assert_str_eq (till_customer_window_get_page (shown), "paid");
  till_test_save_screenshot (GTK_WIDGET (customer), "43-customer-window-paid.png");
  activate (&fixture, "sale.new", NULL);
  ck_assert_str_eq (till_customer_window_get_page (shown), "idle");

  fixture_teardown (&fixture);
}
END_TEST

/* ---- Scanners ------------------------------------------------------------------ */

/* /app/ui/devices/serial-scanner: a scan on the serial scanner (the simulator
 * on a pty) adds the product, as a keyboard-wedge scan does; signed out, a
 * scan adds nothing. */
START_TEST (test_serial_scanner)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScannerSim) sim = till_scanner_sim_new (NULL, "\r", &error);
  g_autofree char *uri = NULL;
  g_autofree char *devices = NULL;
  g_autofree char *barcode = NULL;
  LineWait         one;

  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  uri = till_scanner_sim_get_uri (sim, NULL);
  devices = g_strdup_printf ("scanner=%s", uri);
  barcode = fixture_setup (&fixture, devices, COUNTED_BARCODE_SQL);
  fixture_start_app (&fixture);
  one.cart = fixture_cart (&fixture);
  one.wanted = 1;

  /* Nobody signed in: the scan goes nowhere. */
  g_usleep (300 * 1000);
  ck_assert (till_scanner_sim_scan (sim, barcode, 0, &error));
  ck_assert (!till_test_wait_until (enough_lines, &one, 800));

  sign_in (&fixture);
  ck_assert (till_scanner_sim_scan (sim, barcode, 0, &error));
  ck_assert_msg (till_test_wait_until (enough_lines, &one, WAIT_MS),
                 "the scan never reached the cart");
  ck_assert_uint_eq (till_cart_get_n_lines (one.cart), 1);
  {
    g_autoptr (TillCartLine) line = g_object_ref (till_cart_get_line (one.cart, 0));
    g_autoptr (TillProduct) product = till_catalog_lookup_barcode (
        till_session_get_catalog (till_window_get_session (fixture.window)), barcode, NULL);

    ck_assert_int_eq (till_product_get_id (till_cart_line_get_product (line)),
                      till_product_get_id (product));
  }
  fixture_teardown (&fixture);
}
END_TEST

/* A 640×480 grey frame with @text as a QR code in the middle (4 px modules). */
static TillCameraFrame *
qr_frame (const char *text)
{
  const guint width = 640, height = 480, scale = 4;
  QRcode     *qr = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  guint8     *pixels = g_malloc (width * height);
  guint       side, left, top;
  g_autoptr (GBytes) bytes = NULL;

  ck_assert_ptr_nonnull (qr);
  memset (pixels, 0xff, width * height);
  side = (guint) qr->width * scale;
  left = (width - side) / 2;
  top = (height - side) / 2;
  for (guint y = 0; y < side; y++)
    for (guint x = 0; x < side; x++)
      if (qr->data[(y / scale) * qr->width + x / scale] & 1)
        pixels[(top + y) * width + left + x] = 0;
  QRcode_free (qr);
  bytes = g_bytes_new_take (pixels, width * height);
  return till_camera_frame_new (TILL_CAMERA_FRAME_GREY, width, height, width, bytes,
                                g_get_monotonic_time ());
}

/* /app/ui/devices/camera: the camera button shows the preview and starts the
 * camera; a QR code of a barcode held up to it adds the product; closing the
 * preview stops the camera. */
START_TEST (test_camera)
{
  Fixture          fixture = { 0 };
  g_autofree char *barcode = NULL;
  g_autoptr (TillCameraFrame) frame = NULL;
  TillCameraScanner *camera;
  TillCheckoutView  *checkout;
  LineWait           one;

  barcode = fixture_setup (&fixture, "camera=push:", COUNTED_BARCODE_SQL);
  fixture_start_app (&fixture);
  sign_in (&fixture);
  checkout = till_window_get_checkout_view (fixture.window);
  camera = till_devices_get_camera (till_application_get_devices (fixture.app));
  ck_assert_ptr_nonnull (camera);
  ck_assert (till_checkout_view_get_camera_available (checkout));
  ck_assert_int_eq (till_camera_scanner_get_state (camera), TILL_CAMERA_STATE_STOPPED);

  till_checkout_view_set_camera_shown (checkout, TRUE);
  ck_assert_int_ne (till_camera_scanner_get_state (camera), TILL_CAMERA_STATE_STOPPED);
  frame = qr_frame (barcode);
  till_camera_source_push_frame (till_camera_scanner_get_source (camera), frame);
  one.cart = fixture_cart (&fixture);
  one.wanted = 1;
  ck_assert_msg (till_test_wait_until (enough_lines, &one, WAIT_MS),
                 "the QR code never reached the cart");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "44-camera-preview.png");

  till_checkout_view_set_camera_shown (checkout, FALSE);
  till_test_wait_for_frames (GTK_WIDGET (fixture.window), 2);
  ck_assert_int_eq (till_camera_scanner_get_state (camera), TILL_CAMERA_STATE_STOPPED);
  fixture_teardown (&fixture);
}
END_TEST

/* ---- Scale ------------------------------------------------------------------- */

typedef struct
{
  TillCheckoutView *checkout;
  const char       *wanted;
} ScaleTextWait;

static gboolean
scale_text_shows (gpointer data)
{
  ScaleTextWait   *wait = data;
  g_autofree char *text = till_checkout_view_dup_scale_text (wait->checkout);

  return strstr (text, wait->wanted) != NULL;
}

/* /app/ui/devices/scale: the checkout shows the live weight of a Toledo scale
 * (the simulator on a pty); a weighed quick key takes the stable weight; an
 * unstable weight is refused with the reason; a keyed weight still wins. */
START_TEST (test_scale)
{
  Fixture fixture = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScaleSim) sim = till_scale_sim_new ("toledo-8217", NULL, &error);
  g_autofree char  *devices = NULL;
  g_autofree char  *product_id = NULL;
  g_autofree char  *plu = NULL;
  TillCheckoutView *checkout;
  TillCart         *cart;
  ScaleTextWait     wait;
  const char       *status;
  gboolean          is_error = FALSE;

  ck_assert_msg (sim != NULL, "%s", error ? error->message : "");
  devices = g_strdup_printf ("scale=%s", till_scale_sim_get_uri (sim));
  product_id = fixture_setup (&fixture, devices,
                              "SELECT id FROM product WHERE active AND weighed AND plu IS NOT NULL "
                              "ORDER BY id LIMIT 1");
  fixture_start_app (&fixture);
  sign_in (&fixture);
  checkout = till_window_get_checkout_view (fixture.window);
  cart = fixture_cart (&fixture);
  {
    g_autoptr (TillProduct) product =
        till_catalog_lookup_id (till_session_get_catalog (till_window_get_session (fixture.window)),
                                g_ascii_strtoll (product_id, NULL, 10), NULL);
    plu = g_strdup (till_product_get_plu (product));
  }

  till_scale_sim_set_weight (sim, 456);
  till_scale_sim_set_condition (sim, TILL_SCALE_SIM_STABLE);
  wait.checkout = checkout;
  wait.wanted = "0.456 kg";
  ck_assert_msg (till_test_wait_until (scale_text_shows, &wait, WAIT_MS),
                 "the weight never showed");
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "45-scale-stable.png");
  activate (&fixture, "sale.add-product",
            g_variant_new_int64 (g_ascii_strtoll (product_id, NULL, 10)));
  status = till_checkout_view_get_status (checkout, &is_error);
  ck_assert_msg (!is_error, "refused: %s", status);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 0)), 456);

  /* In motion: refused, with the reason. */
  till_scale_sim_set_weight (sim, 789);
  till_scale_sim_set_condition (sim, TILL_SCALE_SIM_UNSTABLE);
  /* Toledo 8217 sends no figure while the weight moves: only the state shows. */
  wait.wanted = _ ("Unstable");
  ck_assert_msg (till_test_wait_until (scale_text_shows, &wait, WAIT_MS),
                 "the motion never showed");
  activate (&fixture, "sale.add-product",
            g_variant_new_int64 (g_ascii_strtoll (product_id, NULL, 10)));
  status = till_checkout_view_get_status (checkout, &is_error);
  ck_assert (is_error);
  ck_assert_msg (strstr (status, _ ("The scale is not steady: wait for the weight to settle")) !=
                     NULL,
                 "no reason in “%s”", status);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "46-scale-unstable.png");

  /* A keyed weight wins over the scale. */
  {
    g_autofree char *keyed = g_strdup_printf ("0.321×%s", plu);

    activate (&fixture, "sale.add-plu", g_variant_new_string (keyed));
  }
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);
  ck_assert_int_eq (till_cart_line_get_quantity (till_cart_get_line (cart, 1)), 321);

  /* The scale falls silent: no answer, refused. */
  till_scale_sim_set_silent (sim, TRUE);
  wait.wanted = "-.--- kg";
  ck_assert_msg (till_test_wait_until (scale_text_shows, &wait, WAIT_MS),
                 "the silence never showed");
  activate (&fixture, "sale.add-product",
            g_variant_new_int64 (g_ascii_strtoll (product_id, NULL, 10)));
  till_checkout_view_get_status (checkout, &is_error);
  ck_assert (is_error);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 2);

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_devices_suite (void)
{
  Suite *suite = suite_create ("/app/ui/devices");
  TCase *tcase = tcase_create ("/app/ui/devices");

  tcase_set_timeout (tcase, 110);
  tcase_add_test (tcase, test_pole_display);
  tcase_add_test (tcase, test_customer_window_auto);
  tcase_add_test (tcase, test_customer_window_forced);
  tcase_add_test (tcase, test_serial_scanner);
  tcase_add_test (tcase, test_camera);
  tcase_add_test (tcase, test_scale);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_devices_suite ());
}
