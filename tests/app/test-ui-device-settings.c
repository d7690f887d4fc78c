/* test-ui-device-settings.c: /app/ui/device-settings: the manager's device
 * settings screen in the real till under Xvfb, with a printer and a pole
 * display simulated on pseudo-terminals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include <till-display-sim.h>
#include <till-hw.h>
#include <till-printer-sim.h>

#include "till-application.h"
#include "till-device-settings-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-app-test-util.h"
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

#define COUNTED_BARCODE_SQL                                             \
  "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id " \
  "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 ORDER BY p.id LIMIT 1"

/* A demo shop, and a config file with a comment and a group of its own that
 * must survive the save; returns a counted product's barcode. */
static char *
fixture_setup (Fixture *fixture, const char *devices)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;
  char            *barcode;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  config = g_strdup_printf ("# Till 3, by the door\n[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\n%s\n[sync]\nurl=https://hq.example.com\n",
                            fixture->db_path, devices);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));
  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, NULL));
  barcode = single_text (store, COUNTED_BARCODE_SQL);
  ck_assert_ptr_nonnull (barcode);
  return barcode;
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
sign_in (Fixture *fixture, const char *code, const char *pin)
{
  till_test_sign_in (fixture->window, code, pin);
}

/* ---- The settings screen ------------------------------------------------------ */

static GtkWidget *
form_widget (TillDeviceSettingsView *view, const char *name)
{
  GObject *child =
      gtk_widget_get_template_child (GTK_WIDGET (view), TILL_TYPE_DEVICE_SETTINGS_VIEW, name);

  ck_assert_msg (child != NULL, "no %s in the form", name);
  return GTK_WIDGET (child);
}

static void
view_action (TillDeviceSettingsView *view, const char *name, const char *parameter)
{
  ck_assert_msg (parameter != NULL
                     ? gtk_widget_activate_action (GTK_WIDGET (view), name, "s", parameter)
                     : gtk_widget_activate_action (GTK_WIDGET (view), name, NULL),
                 "no action %s", name);
}

typedef struct
{
  TillDeviceSettingsView *view;
  TillDeviceKind          kind;
} TestWait;

static gboolean
test_finished (gpointer data)
{
  TestWait *wait = data;
  return till_device_settings_view_get_test_result (wait->view, wait->kind, NULL) != NULL;
}

/* Presses Test beside @kind and waits for the result beside it. */
static void
press_test (TillDeviceSettingsView *view, TillDeviceKind kind)
{
  TestWait    wait = { view, kind };
  const char *result;
  gboolean    ok = FALSE;

  view_action (view, "devices.test", till_device_kind_to_key (kind));
  ck_assert_msg (till_test_wait_until (test_finished, &wait, WAIT_MS), "the %s test never finished",
                 till_device_kind_to_key (kind));
  result = till_device_settings_view_get_test_result (view, kind, &ok);
  ck_assert_msg (ok, "the %s test failed: %s", till_device_kind_to_key (kind), result);
}

static gboolean
printer_has_cut (gpointer data)
{
  return till_printer_sim_get_n_cuts (data) > 0;
}

/* Every button the manager presses is at least 48 px high. */
static void
check_touch_targets (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_BUTTON (widget) || GTK_IS_ENTRY (widget) || GTK_IS_DROP_DOWN (widget))
    ck_assert_msg (gtk_widget_get_height (widget) >= 48, "a %s is %d px high",
                   G_OBJECT_TYPE_NAME (widget), gtk_widget_get_height (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      /* A drop-down's and a spin button's inner parts are part of a bigger target. */
      if (GTK_IS_DROP_DOWN (widget) || GTK_IS_SPIN_BUTTON (widget))
        continue;
      check_touch_targets (child);
    }
}

/* /app/ui/device-settings/cashier-refused: a cashier has no way in: the
 * action is disabled and the top bar shows no button for it. */
START_TEST (test_cashier_refused)
{
  Fixture          fixture = { 0 };
  g_autofree char *barcode = fixture_setup (&fixture, "");

  fixture_start_app (&fixture);
  sign_in (&fixture, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  ck_assert (
      !g_action_group_get_action_enabled (G_ACTION_GROUP (fixture.window), "device-settings"));
  ck_assert (!till_window_activate_action (fixture.window, "win.device-settings", NULL));
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");

  /* The manager may; signed out again, nobody may. */
  /* (The cashier's shift stays open: the manager lands on the shift page.) */
  activate (&fixture, "win.logout", NULL);
  activate (&fixture, "win.login",
            g_variant_new ("(ss)", TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN));
  ck_assert_str_eq (till_window_get_page (fixture.window), "shift");
  ck_assert (
      g_action_group_get_action_enabled (G_ACTION_GROUP (fixture.window), "device-settings"));
  activate (&fixture, "win.logout", NULL);
  ck_assert (
      !g_action_group_get_action_enabled (G_ACTION_GROUP (fixture.window), "device-settings"));
  fixture_teardown (&fixture);
}
END_TEST

/* /app/ui/device-settings/manager: the manager points the till at a printer
 * and a pole display on ptys, tests both (the simulators get a test page and
 * a test line), is refused an invalid scale URI (nothing saved), saves, and
 * the next sale prints on the new printer. */
START_TEST (test_manager)
{
  Fixture fixture = { 0 };
  g_autoptr (TillPrinterSim) printer = till_printer_sim_new (576);
  g_autoptr (TillDisplaySim) display = till_display_sim_new ("led8", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) saved = NULL;
  g_autofree char        *printer_path = NULL;
  g_autofree char        *display_path = NULL;
  g_autofree char        *old_dir = NULL;
  g_autofree char        *old_printer = NULL;
  g_autofree char        *devices = NULL;
  g_autofree char        *barcode = NULL;
  g_autofree char        *before = NULL;
  g_autofree char        *after = NULL;
  g_autofree char        *expected_printer = NULL;
  g_autofree char        *expected_display = NULL;
  g_autofree char        *digits = NULL;
  TillDeviceSettingsView *view;
  TillPrinterMonitor     *monitor;
  guint                   cuts;

  printer_path = till_printer_sim_serve_pty (printer, &error);
  ck_assert_msg (printer_path != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_display_sim_open_pty (display, &display_path, &error), "%s",
                 error ? error->message : "");

  /* The till starts with a printer that is a file. */
  old_dir = till_test_make_tmpdir ();
  old_printer = g_build_filename (old_dir, "old-printer.bin", NULL);
  devices = g_strdup_printf ("# the old printer\nprinter=file://%s", old_printer);
  barcode = fixture_setup (&fixture, devices);
  fixture_start_app (&fixture);
  sign_in (&fixture, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  activate (&fixture, "win.device-settings", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "devices");
  view = till_window_get_device_settings_view (fixture.window);
  ck_assert_str_eq (till_device_settings_view_get_page (view), "list");
  {
    g_autofree char *old_uri = g_strdup_printf ("file://%s", old_printer);

    ck_assert_str_eq (till_device_settings_view_get_uri (view, TILL_DEVICE_PRINTER), old_uri);
  }
  ck_assert_ptr_null (till_device_settings_view_get_uri (view, TILL_DEVICE_DISPLAY));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "50-device-settings.png");
  check_touch_targets (GTK_WIDGET (view));

  /* The printer: a serial port, 9600 baud, the 80 mm paper. */
  view_action (view, "devices.edit", "printer");
  ck_assert_str_eq (till_device_settings_view_get_page (view), "edit");
  view_action (view, "devices.mode", "serial");
  gtk_editable_set_text (GTK_EDITABLE (form_widget (view, "serial_port_entry")), printer_path);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_widget (view, "baud_choice")), 4);  /* 9600 */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_widget (view, "width_choice")), 1); /* 80 */
  expected_printer = g_strdup_printf ("serial://%s?baud=9600&width=80", printer_path);
  ck_assert_str_eq (gtk_editable_get_text (GTK_EDITABLE (form_widget (view, "uri_entry"))),
                    expected_printer);
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "51-device-settings-printer.png");
  check_touch_targets (GTK_WIDGET (view));
  view_action (view, "devices.form-done", NULL);
  ck_assert_str_eq (till_device_settings_view_get_page (view), "list");
  ck_assert_str_eq (till_device_settings_view_get_uri (view, TILL_DEVICE_PRINTER),
                    expected_printer);

  press_test (view, TILL_DEVICE_PRINTER);
  /* The test is done when its bytes are written; the simulator reads them on
   * its own thread, so a loaded machine may still be parsing them. */
  ck_assert (till_test_wait_until (printer_has_cut, printer, WAIT_MS));
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (printer), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (printer), 0);

  /* The pole display: serial, the LED protocol. */
  view_action (view, "devices.edit", "display");
  view_action (view, "devices.mode", "serial");
  gtk_editable_set_text (GTK_EDITABLE (form_widget (view, "serial_port_entry")), display_path);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_widget (view, "baud_choice")), 2); /* 2400 */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (form_widget (view, "protocol_choice")), 0);
  view_action (view, "devices.form-done", NULL);
  expected_display = g_strdup_printf ("serial://%s?baud=2400&protocol=led8", display_path);
  ck_assert_str_eq (till_device_settings_view_get_uri (view, TILL_DEVICE_DISPLAY),
                    expected_display);
  press_test (view, TILL_DEVICE_DISPLAY);
  ck_assert (till_display_sim_sync (display, WAIT_MS));
  digits = till_display_sim_dup_digits (display);
  ck_assert_str_eq (digits, "8888.88");

  /* A scale with a protocol no driver speaks, typed by hand: refused, with
   * the reason, and the file untouched. */
  ck_assert (g_file_get_contents (fixture.config_path, &before, NULL, NULL));
  view_action (view, "devices.edit", "scale");
  view_action (view, "devices.mode", "uri");
  gtk_editable_set_text (GTK_EDITABLE (form_widget (view, "uri_entry")),
                         "serial:///dev/ttyUSB1?protocol=weighbridge");
  view_action (view, "devices.form-done", NULL);
  ck_assert_str_eq (till_device_settings_view_get_page (view), "edit");
  ck_assert_msg (strstr (till_device_settings_view_get_message (view), "toledo-8217") != NULL,
                 "no reason in “%s”", till_device_settings_view_get_message (view));
  ck_assert_ptr_null (till_device_settings_view_get_uri (view, TILL_DEVICE_SCALE));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "52-device-settings-invalid.png");
  view_action (view, "devices.form-cancel", NULL);
  ck_assert (g_file_get_contents (fixture.config_path, &after, NULL, NULL));
  ck_assert_str_eq (after, before);
  g_clear_pointer (&after, g_free);

  /* Save: the file has the new devices, its other groups and comments kept,
   * and the till uses them at once. */
  view_action (view, "devices.save", NULL);
  ck_assert_str_eq (till_device_settings_view_get_message (view),
                    _ ("Saved. The till uses the new settings now."));
  saved = till_config_load (fixture.config_path, &error);
  ck_assert_ptr_nonnull (saved);
  ck_assert_str_eq (saved->printer_uri, expected_printer);
  ck_assert_str_eq (saved->display_uri, expected_display);
  ck_assert_ptr_null (saved->scale_uri);
  ck_assert (g_file_get_contents (fixture.config_path, &after, NULL, NULL));
  ck_assert_ptr_nonnull (strstr (after, "# Till 3, by the door"));
  ck_assert_ptr_nonnull (strstr (after, "url=https://hq.example.com"));
  monitor = till_application_get_printer_monitor (fixture.app);
  ck_assert_str_eq (till_printer_monitor_get_printer_uri (monitor), expected_printer);
  ck_assert_ptr_nonnull (till_devices_get_display (till_application_get_devices (fixture.app)));
  till_test_save_screenshot (GTK_WIDGET (fixture.window), "53-device-settings-saved.png");

  /* The next sale prints on the new printer, none on the old one. */
  view_action (view, "devices.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture.window), "checkout");
  cuts = till_printer_sim_get_n_cuts (printer);
  activate (&fixture, "sale.scan", g_variant_new_string (barcode));
  activate (&fixture, "sale.pay", NULL);
  activate (&fixture, "pay.exact", NULL);
  {
    gint64 deadline = g_get_monotonic_time () + (gint64) WAIT_MS * 1000;

    while (till_printer_sim_get_n_cuts (printer) <= cuts && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE), g_usleep (10000);
  }
  ck_assert_msg (till_printer_sim_get_n_cuts (printer) > cuts, "the receipt never printed");
  ck_assert (!g_file_test (old_printer, G_FILE_TEST_EXISTS));
  till_printer_sim_stop_serving (printer);
  {
    const GPtrArray *lines = till_printer_sim_get_lines (printer);
    gboolean         test_page = FALSE;

    for (guint i = 0; i < lines->len; i++)
      test_page |= strstr (g_ptr_array_index (lines, i), "打印测试") != NULL;
    ck_assert_msg (test_page, "no test page among %u lines", lines->len);
  }
  till_test_remove_tree (old_dir);
  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_device_settings_suite (void)
{
  Suite *suite = suite_create ("/app/ui/device-settings");
  TCase *tcase = tcase_create ("/app/ui/device-settings");

  tcase_set_timeout (tcase, 110);
  tcase_add_test (tcase, test_cashier_refused);
  tcase_add_test (tcase, test_manager);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_device_settings_suite ());
}
