/* test-config.c: tests for src/app/till-config.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
  tcase_add_test (tc, test_example);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (config_suite ());
}
