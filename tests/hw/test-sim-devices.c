/* test-sim-devices.c: tests for hw/sim/till-sim-devices.c, the sim:// devices
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sim-devices"

#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "till-pole-display.h"
#include "till-printer-sim.h"
#include "till-scale.h"
#include "till-sim-devices.h"
#include "till-test-util.h"
#include "till-transport.h"

#define READ_TIMEOUT_MS 1000

/* The scale protocols read through sim://scale: request/answer and
 * continuous ones, with their options. */
static const struct
{
  const char *protocol;
  const char *options;
} scale_protocols[] = {
  { "toledo-8217", NULL }, { "cas", NULL },        { "cas", "mode=request" },
  { "cas-pd2", NULL },     { "aclas-os2x", NULL }, { "aclas-os2x", "mode=passive" },
  { "xk3190", NULL },      { "adam", NULL },
};

static TillScale *
open_scale (const char *query)
{
  g_autofree char *uri = g_strdup_printf ("sim://scale?%s", query);
  g_autoptr (GError) error = NULL;
  TillScale *scale;

  till_sim_register_transports ();
  scale = till_scale_open (uri, &error);
  ck_assert_msg (scale != NULL, "%s: %s", uri, error ? error->message : "");
  return scale;
}

static TillScaleReading
read_scale (TillScale *scale)
{
  g_autoptr (GError) error = NULL;
  TillScaleReading reading;

  ck_assert_msg (till_scale_read (scale, READ_TIMEOUT_MS, &reading, &error), "%s",
                 error ? error->message : "");
  return reading;
}

static void
write_control (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (g_file_set_contents (path, contents, -1, &error), "%s",
                 error ? error->message : "");
}

static char *
read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;

  ck_assert_msg (g_file_get_contents (path, &contents, NULL, &error), "%s",
                 error ? error->message : "");
  return contents;
}

/* /hw/sim-devices/scale/weight: weight= is what every protocol reports. */
START_TEST (test_scale_weight)
{
  g_autofree char *query =
      g_strdup_printf ("protocol=%s&weight=0.456%s%s", scale_protocols[_i].protocol,
                       scale_protocols[_i].options ? "&" : "",
                       scale_protocols[_i].options ? scale_protocols[_i].options : "");
  g_autoptr (TillScale) scale = open_scale (query);
  TillScaleReading reading = read_scale (scale);

  ck_assert_msg (reading.state == TILL_SCALE_STATE_STABLE, "%s: %s", query,
                 till_scale_state_to_string (reading.state));
  ck_assert_int_eq (reading.weight, 456);
  ck_assert (!reading.net);
  ck_assert_str_eq (till_scale_get_protocol (scale), scale_protocols[_i].protocol);
}
END_TEST

/* /hw/sim-devices/scale/control: the control file is read before every
 * request, so writing it puts goods on the scale. */
START_TEST (test_scale_control)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *control = g_build_filename (dir, "weight.txt", NULL);
  const char      *protocol = _i == 0 ? "toledo-8217" : "cas";
  g_autofree char *query =
      g_strdup_printf ("protocol=%s&weight=0.100&control=%s", protocol, control);
  g_autoptr (TillScale) scale = open_scale (query);
  TillScaleReading reading;

  /* No file yet: weight=. */
  reading = read_scale (scale);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  ck_assert_int_eq (reading.weight, 100);

  write_control (control, "1.250\n");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  ck_assert_int_eq (reading.weight, 1250);

  write_control (control, "  2.5kg  ");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.weight, 2500);

  write_control (control, "0.300 unstable\n");
  reading = read_scale (scale);
  ck_assert_msg (reading.state == TILL_SCALE_STATE_UNSTABLE, "%s",
                 till_scale_state_to_string (reading.state));

  write_control (control, "0.300 overload\n");
  reading = read_scale (scale);
  ck_assert_msg (reading.state == TILL_SCALE_STATE_OVERLOAD, "%s",
                 till_scale_state_to_string (reading.state));

  /* A file that does not parse leaves the scale as it was. */
  write_control (control, "0.777\n");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.weight, 777);
  write_control (control, "heavy\n");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  ck_assert_int_eq (reading.weight, 777);

  /* Empty, then gone: back to weight=. */
  write_control (control, "");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.weight, 100);
  write_control (control, "0.050");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.weight, 50);
  ck_assert_int_eq (g_unlink (control), 0);
  reading = read_scale (scale);
  ck_assert_int_eq (reading.weight, 100);

  till_test_remove_tree (dir);
}
END_TEST

/* /hw/sim-devices/scale/tare: the commands reach the simulated scale too. */
START_TEST (test_scale_tare)
{
  g_autoptr (TillScale) scale = open_scale ("protocol=toledo-8217&weight=0.250");
  g_autoptr (GError) error = NULL;
  TillScaleReading reading;

  ck_assert_msg (till_scale_tare (scale, READ_TIMEOUT_MS, &error), "%s",
                 error ? error->message : "");
  reading = read_scale (scale);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  ck_assert_int_eq (reading.weight, 0);
  ck_assert (reading.net);
}
END_TEST

/* /hw/sim-devices/scale/async: the app reads from a worker thread. */
static void
read_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillScaleReading *reading = user_data;
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_scale_read_finish (TILL_SCALE (source), result, reading, &error), "%s",
                 error ? error->message : "");
}

START_TEST (test_scale_async)
{
  g_autoptr (TillScale) scale = open_scale ("protocol=aclas-os2x&weight=3.210");
  TillScaleReading reading = { .state = TILL_SCALE_STATE_NO_ANSWER };
  gint64           deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  till_scale_read_async (scale, READ_TIMEOUT_MS, NULL, read_done_cb, &reading);
  while (reading.state == TILL_SCALE_STATE_NO_ANSWER && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  ck_assert_int_eq (reading.state, TILL_SCALE_STATE_STABLE);
  ck_assert_int_eq (reading.weight, 3210);
}
END_TEST

static void
save_picture (const char *png, const char *name)
{
  g_autofree char *out = till_test_output_path ("sim-devices", name);
  g_autofree char *contents = NULL;
  gsize            len;

  ck_assert (g_file_get_contents (png, &contents, &len, NULL));
  ck_assert (g_file_set_contents (out, contents, (gssize) len, NULL));
}

/* A PNG of a sensible size, not a blank one. */
static void
check_png (const char *png)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (png);
  const guint8    *data;
  int              stride, width, height;
  gboolean         varied = FALSE;
  guint32          first;

  ck_assert_msg (cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS, "%s: %s", png,
                 cairo_status_to_string (cairo_surface_status (surface)));
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  ck_assert_int_gt (width, 100);
  ck_assert_int_gt (height, 20);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  memcpy (&first, data, sizeof first);
  for (int y = 0; y < height && !varied; y++)
    for (int x = 0; x < width && !varied; x++)
      {
        guint32 pixel;

        memcpy (&pixel, data + y * stride + x * 4, sizeof pixel);
        varied = pixel != first;
      }
  ck_assert_msg (varied, "%s is one colour", png);
  cairo_surface_destroy (surface);
}

/* /hw/sim-devices/display/led8: a TOTAL posted the way the app posts it shows
 * on the simulated LED and in its picture. */
START_TEST (test_display_led8)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *uri = g_strdup_printf ("sim://display?protocol=led8&dir=%s", dir);
  g_autofree char *png = g_build_filename (dir, "display.png", NULL);
  g_autofree char *txt = g_build_filename (dir, "display.txt", NULL);
  g_autofree char *shown = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;
  TillPoleDisplayState state = { .screen = TILL_POLE_DISPLAY_SCREEN_TOTAL, .total = 2350 };

  till_sim_register_transports ();
  display = till_pole_display_new (uri, &error);
  ck_assert_msg (display != NULL, "%s", error ? error->message : "");
  till_pole_display_post (display, &state);
  ck_assert (till_pole_display_wait_idle (display, 5000));
  ck_assert_ptr_null (till_pole_display_get_error_message (display));
  ck_assert_int_eq (till_pole_display_get_n_written (display), 1);

  ck_assert (g_file_test (png, G_FILE_TEST_IS_REGULAR));
  check_png (png);
  save_picture (png, "display-led8-total.png");
  shown = read_text (txt);
  ck_assert_str_eq (shown, "led8\n23.50\ntotal\n");

  /* The next update replaces the picture. */
  state = (TillPoleDisplayState){ .screen = TILL_POLE_DISPLAY_SCREEN_CHANGE, .change = 450 };
  ck_assert_msg (till_pole_display_show (display, &state, &error), "%s", error->message);
  g_clear_pointer (&shown, g_free);
  shown = read_text (txt);
  ck_assert_str_eq (shown, "led8\n4.50\nchange\n");
  check_png (png);
  save_picture (png, "display-led8-change.png");
  ck_assert (till_pole_display_close (display, NULL));

  till_test_remove_tree (dir);
}
END_TEST

/* /hw/sim-devices/display/vfd: the 2×20 displays show the rows the driver
 * formats, with and without protocol= reaching the simulator. */
START_TEST (test_display_vfd)
{
  static const char *const protocols[] = { "cd5220", "epson" };
  const char              *protocol = protocols[_i % 2];
  gboolean                 direct = _i == 2 || _i == 3; /* the transport itself gets protocol= */
  gboolean                 chinese = _i >= 4;           /* text=zh: GB18030 on the wire */
  g_autofree char         *dir = till_test_make_tmpdir ();
  g_autofree char *uri = g_strdup_printf ("sim://display?protocol=%s&dir=%s%s", protocol, dir,
                                          chinese ? "&text=zh" : "");
  g_autofree char *txt = g_build_filename (dir, "display.txt", NULL);
  g_autofree char *png = g_build_filename (dir, "display.png", NULL);
  g_autofree char *row1 = NULL;
  g_autofree char *row2 = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *name = g_strdup_printf ("display-%s%s.png", protocol, chinese ? "-zh" : "");
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;
  TillPoleDisplayState state = {
    .screen = TILL_POLE_DISPLAY_SCREEN_ITEM,
    .item_name = "苹果",
    .item_name_ascii = "PG",
    .item_price = 1280,
    .total = 2350,
  };

  till_sim_register_transports ();
  display = till_pole_display_new (uri, &error);
  ck_assert_msg (display != NULL, "%s", error ? error->message : "");
  if (direct)
    {
      /* Bytes straight to the transport, as another driver would send them:
       * ESC @, then the two rows in the display's own commands. */
      g_autoptr (TillTransport) transport = till_transport_open (uri, &error);
      const char *bytes = g_str_equal (protocol, "cd5220")
                              ? "\x1b@\x1bQAPG             12.80\r\x1bQBTOTAL          23.50\r"
                              : "\x1b@\x1f$\x01\x01PG             12.80\x1f$\x01\x02"
                                "TOTAL          23.50";

      ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
      ck_assert (
          till_transport_write_all (transport, (const guint8 *) bytes, strlen (bytes), &error));
      shown = read_text (txt);
      expected = g_strdup_printf ("%s\nPG             12.80\nTOTAL          23.50\n", protocol);
      ck_assert_str_eq (shown, expected);
      ck_assert (till_transport_close (transport, NULL));
    }
  else
    {
      ck_assert_msg (till_pole_display_show (display, &state, &error), "%s", error->message);
      row1 = till_pole_display_format_row (display, &state, 1);
      row2 = till_pole_display_format_row (display, &state, 2);
      expected = g_strdup_printf ("%s\n%s\n%s\n", protocol, row1, row2);
      shown = read_text (txt);
      ck_assert_str_eq (shown, expected);
      ck_assert (strstr (shown, "23.50") != NULL);
      ck_assert (strstr (shown, chinese ? "苹果" : "PG") != NULL);
      save_picture (png, name);
    }
  check_png (png);
  till_test_remove_tree (dir);
}
END_TEST

/* /hw/sim-devices/display/no-dir: without dir= the display takes bytes and
 * writes nothing. */
START_TEST (test_display_no_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;

  till_sim_register_transports ();
  display = till_pole_display_new ("sim://display?protocol=led8", &error);
  ck_assert (display != NULL);
  ck_assert_msg (till_pole_display_show_number (display, 100, TILL_POLE_DISPLAY_LAMP_PRICE, &error),
                 "%s", error ? error->message : "");
}
END_TEST

/* /hw/sim-devices/bad-uris */
START_TEST (test_bad_uris)
{
  static const struct
  {
    const char *uri;
    const char *says; /* a word the message must contain */
  } bad[] = {
    { "sim://toaster", "sim://scale" },
    { "sim://scale", "protocol" },
    { "sim://scale?protocol=nonsense", "nonsense" },
    { "sim://scale?protocol=toledo-8217&weight=heavy", "heavy" },
    { "sim://scale?protocol=toledo-8217&weight=0.4567", "0.4567" },
    { "sim://scale?protocol=toledo-8217&weight=-", "weight" },
    { "sim://scale?protocol=toledo-8217&control=weight.txt", "absolute" },
    { "sim://scale?protocol=toledo-8217&control=", "control" },
    { "sim://display?protocol=vfd9000", "vfd9000" },
    { "sim://display?protocol=led8&model=acme", "acme" },
    { "sim://display?dir=relative/dir", "absolute" },
    { "sim://display?dir=/proc/no-such-dir-for-a-display", "/proc/no-such-dir" },
  };

  till_sim_register_transports ();
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillTransport) transport = till_transport_open (bad[i].uri, &error);

      ck_assert_msg (transport == NULL, "“%s” opened", bad[i].uri);
      ck_assert_msg (error != NULL && error->domain == G_IO_ERROR, "“%s”", bad[i].uri);
      /* The transport names the URI; the simulator says what is wrong. */
      ck_assert_msg (g_str_has_prefix (error->message, bad[i].uri), "%s", error->message);
      ck_assert_msg (strstr (error->message + strlen (bad[i].uri), bad[i].says) != NULL, "%s",
                     error->message);
    }
}
END_TEST

/* /hw/sim-devices/bad-uris/drivers: through the drivers, the error still names
 * the URI. */
START_TEST (test_bad_uris_drivers)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillScale) scale = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;

  till_sim_register_transports ();
  scale = till_scale_open ("sim://scale?protocol=toledo-8217&weight=lots", &error);
  ck_assert (scale == NULL);
  ck_assert_msg (strstr (error->message, "sim://scale?protocol=toledo-8217&weight=lots") != NULL &&
                     strstr (error->message, "“lots”") != NULL,
                 "%s", error->message);
  g_clear_error (&error);

  display = till_pole_display_new ("sim://display?protocol=led8&dir=relative", &error);
  ck_assert (display != NULL);
  ck_assert (!till_pole_display_open (display, &error));
  ck_assert_msg (strstr (error->message, "sim://display?dir=relative") != NULL &&
                     strstr (error->message, "absolute") != NULL,
                 "%s", error->message);
}
END_TEST

/* /hw/sim-devices/printer: the old registration still serves the printer. */
START_TEST (test_printer_still_registered)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillTransport) transport = NULL;

  till_printer_sim_register_transport ();
  transport = till_transport_open ("sim://printer?width=58", &error);
  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
  ck_assert (till_transport_write_all (transport, (const guint8 *) "\x10\x04\x01", 3, &error));
  {
    guint8 reply[4];
    gssize n = till_transport_read (transport, reply, sizeof reply, 100, &error);

    ck_assert_int_eq (n, 1);
    ck_assert_int_eq (reply[0], TILL_PRINTER_SIM_STATUS_OK);
  }
  /* And the scale through the same call. */
  g_clear_object (&transport);
  transport = till_transport_open ("sim://scale?protocol=toledo-8217", &error);
  ck_assert_msg (transport != NULL, "%s", error ? error->message : "");
}
END_TEST

/* /hw/sim-devices/parse-weight */
START_TEST (test_parse_weight)
{
  static const struct
  {
    const char *text;
    gint64      grams;
  } good[] = {
    { "0.456", 456 },   { "2", 2000 },   { "-0.010", -10 },  { "+1.5", 1500 },
    { "0.456kg", 456 }, { "456g", 456 }, { "12.05", 12050 }, { "0", 0 },
  };
  static const char *const bad[] = { "",    "kg",  "g",    ".5", "1.2345",
                                     "1,5", "abc", "1.5g", "-",  "1 kg" };
  gint64                   grams;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      ck_assert_msg (till_sim_parse_weight (good[i].text, &grams), "%s", good[i].text);
      ck_assert_int_eq (grams, good[i].grams);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    ck_assert_msg (!till_sim_parse_weight (bad[i], &grams), "“%s” parsed", bad[i]);
}
END_TEST

static Suite *
sim_devices_suite (void)
{
  Suite *suite = suite_create ("hw/sim-devices");
  TCase *scale = tcase_create ("scale");
  TCase *display = tcase_create ("display");
  TCase *uris = tcase_create ("uris");

  tcase_set_timeout (scale, 60);
  tcase_add_loop_test (scale, test_scale_weight, 0, G_N_ELEMENTS (scale_protocols));
  tcase_add_loop_test (scale, test_scale_control, 0, 2);
  tcase_add_test (scale, test_scale_tare);
  tcase_add_test (scale, test_scale_async);
  suite_add_tcase (suite, scale);

  tcase_set_timeout (display, 60);
  tcase_add_test (display, test_display_led8);
  tcase_add_loop_test (display, test_display_vfd, 0, 6);
  tcase_add_test (display, test_display_no_dir);
  suite_add_tcase (suite, display);

  tcase_add_test (uris, test_bad_uris);
  tcase_add_test (uris, test_bad_uris_drivers);
  tcase_add_test (uris, test_printer_still_registered);
  tcase_add_test (uris, test_parse_weight);
  suite_add_tcase (suite, uris);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (sim_devices_suite ());
}
