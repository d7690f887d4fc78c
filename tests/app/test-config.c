/* test-config.c: tests for src/app/till-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-config.h"
#include "till-scan-detector.h"
#include "till-test-util.h"

static char *scratch;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static char *
write_config (const char *text)
{
  char *path = g_build_filename (scratch, "till.conf", NULL);

  ck_assert (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* /app/config/defaults: no file, every default. */
START_TEST (test_defaults)
{
  g_autofree char *path = g_build_filename (scratch, "missing.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);

  ck_assert_ptr_nonnull (config);
  ck_assert_ptr_null (config->path);
  ck_assert_str_eq (config->language, "zh_CN");
  ck_assert (g_str_has_suffix (config->database, "opentill/till.db"));
  ck_assert_ptr_null (config->printer_uri);
  ck_assert_str_eq (config->drawer_uri, "printer");
  ck_assert_ptr_null (config->scale_uri);
  ck_assert_ptr_null (config->display_uri);
  ck_assert_ptr_null (config->scanner_uri);
  ck_assert_ptr_null (config->camera_uri);
  ck_assert_str_eq (config->customer_screen, "auto");
  ck_assert_ptr_null (config->scanner_prefix);
  ck_assert_uint_eq (config->scanner_suffix, TILL_SCAN_SUFFIX_ENTER);
  ck_assert_uint_eq (config->idle_lock_seconds, 15 * 60);
}
END_TEST

/* /app/config/idle-lock: seconds of idle time before the screen locks; 0 turns
 * it off; nonsense is an error naming the file. */
START_TEST (test_idle_lock)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = write_config ("[till]\nidle-lock-seconds=90\n");
  g_autoptr (TillConfig) config = till_config_load (path, &error);
  g_autoptr (TillConfig) copy = NULL;

  ck_assert_ptr_nonnull (config);
  ck_assert_uint_eq (config->idle_lock_seconds, 90);
  copy = till_config_copy (config);
  ck_assert_uint_eq (copy->idle_lock_seconds, 90);
  g_clear_pointer (&config, till_config_free);

  g_free (path);
  path = write_config ("[till]\nidle-lock-seconds=0\n");
  config = till_config_load (path, &error);
  ck_assert_uint_eq (config->idle_lock_seconds, 0);
  g_clear_pointer (&config, till_config_free);

  g_free (path);
  path = write_config ("[till]\nidle-lock-seconds=soon\n");
  config = till_config_load (path, &error);
  ck_assert_ptr_null (config);
  ck_assert_ptr_nonnull (strstr (error->message, path));
}
END_TEST

/* /app/config/scanner-wedge: the keyboard-wedge scanner's prefix and suffix. */
START_TEST (test_scanner_wedge)
{
  static const struct
  {
    const char *value;
    gunichar    suffix;
  } cases[] = {
    { "enter", TILL_SCAN_SUFFIX_ENTER },
    { "Tab", TILL_SCAN_SUFFIX_TAB },
    { "#", '#' },
    { "。", 0x3002 },
    { "ab", TILL_SCAN_SUFFIX_ENTER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text =
          g_strdup_printf ("[devices]\nscanner-prefix=]C1\nscanner-suffix=%s\n", cases[i].value);
      g_autofree char *path = write_config (text);
      g_autoptr (GError) error = NULL;
      g_autoptr (TillConfig) config = till_config_load (path, &error);

      ck_assert_ptr_nonnull (config);
      ck_assert_str_eq (config->scanner_prefix, "]C1");
      ck_assert_msg (config->scanner_suffix == cases[i].suffix, "scanner-suffix=%s gave U+%04X",
                     cases[i].value, config->scanner_suffix);
    }
}
END_TEST

/* /app/config/devices: every device key read, blanks taken as absent. */
START_TEST (test_devices)
{
  g_autofree char *path =
      write_config ("[till]\ndatabase=/srv/till.db\nlanguage=en\n"
                    "[devices]\nprinter=tcp://127.0.0.1:9100?width=58\ndrawer=serial:///dev/ttyS1\n"
                    "scale=serial:///dev/ttyUSB1?protocol=toledo-8217\ndisplay=  \n"
                    "scanner=serial:///dev/ttyUSB3?protocol=scanner\ncamera=v4l2:///dev/video0\n"
                    "customer-screen=off\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);

  ck_assert_ptr_nonnull (config);
  ck_assert_str_eq (config->path, path);
  ck_assert_str_eq (config->database, "/srv/till.db");
  ck_assert_str_eq (config->language, "en");
  ck_assert_str_eq (config->printer_uri, "tcp://127.0.0.1:9100?width=58");
  ck_assert_str_eq (config->drawer_uri, "serial:///dev/ttyS1");
  ck_assert_str_eq (config->scale_uri, "serial:///dev/ttyUSB1?protocol=toledo-8217");
  ck_assert_ptr_null (config->display_uri);
  ck_assert_str_eq (config->scanner_uri, "serial:///dev/ttyUSB3?protocol=scanner");
  ck_assert_str_eq (config->camera_uri, "v4l2:///dev/video0");
  ck_assert_str_eq (config->customer_screen, "off");
}
END_TEST

/* /app/config/broken: a file that exists but does not parse is an error naming it. */
START_TEST (test_broken)
{
  g_autofree char *path = write_config ("[till\ndatabase=x\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);

  ck_assert_ptr_null (config);
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, path));
}
END_TEST

/* /app/config/example: the example shipped in data/ parses. */
START_TEST (test_example)
{
  g_autofree char *path = till_test_source_path ("data/till.conf");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);

  ck_assert_msg (config != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (config->language, "zh_CN");
}
END_TEST

/* /app/config/validate: URIs the drivers take pass; each broken one is refused
 * with a reason that names the device. */
START_TEST (test_validate)
{
  static const struct
  {
    TillDeviceKind kind;
    const char    *uri;
    gboolean       valid;
    const char    *reason; /* a part of the message, for the invalid ones */
  } cases[] = {
    { TILL_DEVICE_PRINTER, NULL, TRUE, NULL },
    { TILL_DEVICE_PRINTER, "serial:///dev/ttyUSB0?baud=9600&width=58", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "tcp://10.0.0.5:9100?encoding=big5", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "usb://04b8:0202", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "cups://Receipts", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "file:///tmp/receipt.bin", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "sim://printer?dir=/tmp/r&width=80", TRUE, NULL },
    { TILL_DEVICE_PRINTER, "not a uri", FALSE, "Receipt printer" },
    { TILL_DEVICE_PRINTER, "lpt://1", FALSE, "lpt" },
    { TILL_DEVICE_PRINTER, "tcp://10.0.0.5:9100?width=66", FALSE, "width" },
    { TILL_DEVICE_PRINTER, "serial:///dev/ttyUSB0?baud=fast", FALSE, "baud" },
    { TILL_DEVICE_PRINTER, "usb://zz:0202", FALSE, "Receipt printer" },
    { TILL_DEVICE_PRINTER, "tcp://:9100", FALSE, "host" },
    { TILL_DEVICE_DRAWER, "printer", TRUE, NULL },
    { TILL_DEVICE_DRAWER, "serial:///dev/ttyS1", TRUE, NULL },
    { TILL_DEVICE_DRAWER, "drawer", FALSE, "Cash drawer" },
    { TILL_DEVICE_SCALE, "serial:///dev/ttyUSB1?protocol=toledo-8217", TRUE, NULL },
    { TILL_DEVICE_SCALE, "serial:///dev/ttyUSB1?baud=9600", FALSE, "protocol" },
    { TILL_DEVICE_SCALE, "serial:///dev/ttyUSB1?protocol=nope", FALSE, "toledo-8217" },
    { TILL_DEVICE_DISPLAY, "serial:///dev/ttyUSB2?baud=2400&protocol=led8", TRUE, NULL },
    { TILL_DEVICE_DISPLAY, "serial:///dev/ttyUSB2?protocol=vfd9000", FALSE, "Customer display" },
    { TILL_DEVICE_SCANNER, "serial:///dev/ttyUSB3?protocol=scanner&suffix=%0D", TRUE, NULL },
    { TILL_DEVICE_SCANNER, "serial:///dev/ttyUSB3?gap=soon", FALSE, "Serial scanner" },
    { TILL_DEVICE_CAMERA, "v4l2:///dev/video0", TRUE, NULL },
    { TILL_DEVICE_CAMERA, "/dev/video0", FALSE, "v4l2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean valid = till_config_validate_device_uri (cases[i].kind, cases[i].uri, &error);

      ck_assert_msg (valid == cases[i].valid, "%s: %s", cases[i].uri ? cases[i].uri : "(none)",
                     valid ? "taken" : error->message);
      if (!valid)
        {
          ck_assert (g_error_matches (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID));
          ck_assert_msg (strstr (error->message, cases[i].reason) != NULL, "“%s” does not say “%s”",
                         error->message, cases[i].reason);
        }
      else
        ck_assert_ptr_null (error);
    }
}
END_TEST

#define COMMENTED_CONFIG                          \
  "# The till in aisle 3\n"                       \
  "[till]\n"                                      \
  "database=/srv/till.db\n"                       \
  "language=zh_CN\n"                              \
  "\n"                                            \
  "# Devices: see README\n"                       \
  "[devices]\n"                                   \
  "# the old printer\n"                           \
  "printer=tcp://10.0.0.5:9100\n"                 \
  "display=serial:///dev/ttyUSB2?protocol=led8\n" \
  "customer-screen=off\n"                         \
  "\n"                                            \
  "[sync]\n"                                      \
  "# HQ\n"                                        \
  "url=https://hq.example.com\n"

/* /app/config/save-devices: the [devices] group rewritten, everything else
 * (other groups, comments) kept; read back it gives the new devices. */
START_TEST (test_save_devices)
{
  g_autofree char *path = write_config (COMMENTED_CONFIG);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);
  g_autoptr (TillConfig) again = NULL;
  g_autofree char *text = NULL;

  ck_assert_ptr_nonnull (config);
  till_config_set_device_uri (config, TILL_DEVICE_PRINTER, "serial:///dev/ttyUSB0?baud=19200");
  till_config_set_device_uri (config, TILL_DEVICE_DISPLAY, "");
  till_config_set_device_uri (config, TILL_DEVICE_SCALE, "serial:///dev/ttyUSB1?protocol=cas");
  ck_assert_msg (till_config_save_devices (config, NULL, &error), "%s",
                 error ? error->message : "");

  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  ck_assert_ptr_nonnull (strstr (text, "# The till in aisle 3"));
  ck_assert_ptr_nonnull (strstr (text, "# Devices: see README"));
  ck_assert_ptr_nonnull (strstr (text, "# HQ\nurl=https://hq.example.com"));
  ck_assert_ptr_nonnull (strstr (text, "database=/srv/till.db"));
  ck_assert_ptr_null (strstr (text, "display="));
  ck_assert_ptr_null (strstr (text, "10.0.0.5"));

  again = till_config_load (path, &error);
  ck_assert_ptr_nonnull (again);
  ck_assert_str_eq (again->printer_uri, "serial:///dev/ttyUSB0?baud=19200");
  ck_assert_str_eq (again->scale_uri, "serial:///dev/ttyUSB1?protocol=cas");
  ck_assert_ptr_null (again->display_uri);
  ck_assert_str_eq (again->drawer_uri, "printer");
  ck_assert_str_eq (again->customer_screen, "off");
  ck_assert_str_eq (again->database, "/srv/till.db");
}
END_TEST

/* /app/config/save-invalid: one bad URI and the file is left exactly as it was. */
START_TEST (test_save_invalid)
{
  g_autofree char *path = write_config (COMMENTED_CONFIG);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);
  g_autofree char *text = NULL;

  ck_assert_ptr_nonnull (config);
  till_config_set_device_uri (config, TILL_DEVICE_PRINTER, "serial:///dev/ttyUSB0");
  till_config_set_device_uri (config, TILL_DEVICE_SCALE, "serial:///dev/ttyUSB1?protocol=xyz");
  ck_assert (!till_config_save_devices (config, NULL, &error));
  ck_assert (g_error_matches (error, TILL_CONFIG_ERROR, TILL_CONFIG_ERROR_INVALID));
  ck_assert_ptr_nonnull (strstr (error->message, "protocol"));
  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  ck_assert_str_eq (text, COMMENTED_CONFIG);
}
END_TEST

/* /app/config/save-new-file: no file yet (and no folder): both are made. */
START_TEST (test_save_new_file)
{
  g_autofree char *path = g_build_filename (scratch, "etc", "opentill", "till.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillConfig) config = till_config_load (path, &error);
  g_autoptr (TillConfig) again = NULL;

  ck_assert_ptr_nonnull (config);
  ck_assert_ptr_null (config->path);
  till_config_set_device_uri (config, TILL_DEVICE_CAMERA, "v4l2:///dev/video2");
  config->scanner_suffix = TILL_SCAN_SUFFIX_TAB;
  ck_assert_msg (till_config_save_devices (config, path, &error), "%s",
                 error ? error->message : "");
  ck_assert_str_eq (config->path, path);
  again = till_config_load (path, &error);
  ck_assert_ptr_nonnull (again);
  ck_assert_str_eq (again->camera_uri, "v4l2:///dev/video2");
  ck_assert_uint_eq (again->scanner_suffix, TILL_SCAN_SUFFIX_TAB);
}
END_TEST

/* /app/config/build-uri: the settings form's URIs, which pass validation. */
START_TEST (test_build_uri)
{
  const char      *serial_query[] = { "baud", "2400", "protocol", "led8", "model", "", NULL };
  const char      *printer_query[] = { "profile", "pos-5890", "width", "58", NULL };
  g_autofree char *serial = till_config_build_device_uri ("serial", "/dev/pts/7", serial_query);
  g_autofree char *tcp = till_config_build_device_uri ("tcp", "10.0.0.5:9100", NULL);
  g_autofree char *usb = till_config_build_device_uri ("usb", "0416:5011", printer_query);
  g_autofree char *cups = till_config_build_device_uri ("cups", "Front Desk", NULL);

  ck_assert_str_eq (serial, "serial:///dev/pts/7?baud=2400&protocol=led8");
  ck_assert_str_eq (tcp, "tcp://10.0.0.5:9100");
  ck_assert_str_eq (usb, "usb://0416:5011?profile=pos-5890&width=58");
  ck_assert_str_eq (cups, "cups://Front%20Desk");
  ck_assert (till_config_validate_device_uri (TILL_DEVICE_DISPLAY, serial, NULL));
  ck_assert (till_config_validate_device_uri (TILL_DEVICE_PRINTER, tcp, NULL));
  ck_assert (till_config_validate_device_uri (TILL_DEVICE_PRINTER, cups, NULL));
}
END_TEST

static Suite *
config_suite (void)
{
  Suite *suite = suite_create ("/app/config");
  TCase *tc = tcase_create ("config");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_devices);
  tcase_add_test (tc, test_scanner_wedge);
  tcase_add_test (tc, test_broken);
  tcase_add_test (tc, test_idle_lock);
  tcase_add_test (tc, test_example);
  tcase_add_test (tc, test_validate);
  tcase_add_test (tc, test_save_devices);
  tcase_add_test (tc, test_save_invalid);
  tcase_add_test (tc, test_save_new_file);
  tcase_add_test (tc, test_build_uri);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (config_suite ());
}
