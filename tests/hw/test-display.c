/* test-display.c: /hw/display: the pole display drivers against the display
 * simulator on a pty, byte for byte, including unplug and a silent device.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "till-display-sim.h"
#include "till-pole-display.h"
#include "till-test-util.h"

#define SYNC_MS 5000

typedef struct
{
  TillDisplaySim  *sim;
  char            *device_path;
  TillPoleDisplay *display;
} Rig;

/* A simulated display of @protocol/@model on a pty, and the driver on it with
 * @options added to its URI. */
static void
rig_setup (Rig *rig, const char *protocol, const char *model, const char *options)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = NULL;

  rig->sim = till_display_sim_new (protocol, model);
  ck_assert_ptr_nonnull (rig->sim);
  ck_assert_msg (till_display_sim_open_pty (rig->sim, &rig->device_path, &error), "%s",
                 error ? error->message : "");
  uri = g_strdup_printf ("serial://%s?baud=9600&protocol=%s%s%s%s", rig->device_path, protocol,
                         model != NULL ? "&model=" : "", model != NULL ? model : "",
                         options != NULL ? options : "");
  rig->display = till_pole_display_new (uri, &error);
  ck_assert_msg (rig->display != NULL, "%s", error ? error->message : "");
}

static void
rig_teardown (Rig *rig)
{
  g_clear_object (&rig->display);
  g_clear_object (&rig->sim);
  g_free (rig->device_path);
}

static void
show (Rig *rig, const TillPoleDisplayState *state)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_pole_display_show (rig->display, state, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_display_sim_sync (rig->sim, SYNC_MS));
}

static void
save_png (TillDisplaySim *sim, const char *name)
{
  g_autofree char *path = till_test_output_path ("displays", name);
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_display_sim_render_png (sim, path, &error), "%s",
                 error ? error->message : "");
  g_print ("display: %s\n", path);
}

static void
assert_digits (Rig *rig, const char *expected, guint lamps)
{
  g_autofree char *digits = till_display_sim_dup_digits (rig->sim);

  ck_assert_str_eq (digits, expected);
  ck_assert_uint_eq (till_display_sim_get_lamps (rig->sim), lamps);
}

static void
assert_row (Rig *rig, guint row, const char *expected)
{
  g_autofree char *shown = till_display_sim_dup_row (rig->sim, row);

  ck_assert_str_eq (shown, expected);
}

/* The bytes the driver sends for @state (a fresh display: reset first), caught
 * with a file:// transport. */
static GBytes *
bytes_for (const char *options, const TillPoleDisplayState *state)
{
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "display.bin", NULL);
  g_autofree char *uri = g_strdup_printf ("file://%s?%s", path, options);
  g_autoptr (TillPoleDisplay) display = NULL;
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  display = till_pole_display_new (uri, &error);
  ck_assert_msg (display != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_pole_display_show (display, state, &error), "%s",
                 error ? error->message : "");
  ck_assert (till_pole_display_close (display, NULL));
  ck_assert (g_file_get_contents (path, &contents, &len, NULL));
  till_test_remove_tree (dir);
  return g_bytes_new_take (contents, len);
}

static void
assert_bytes (GBytes *bytes, const char *expected, gsize expected_len)
{
  gsize            len;
  const guint8    *data = g_bytes_get_data (bytes, &len);
  g_autofree char *hex = g_strnfill (len * 3, ' ');

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + i * 3, 4, "%02x ", data[i]);
  ck_assert_msg (len == expected_len && memcmp (data, expected, len) == 0, "sent %s", hex);
}

static const TillPoleDisplayState item_state = {
  .screen = TILL_POLE_DISPLAY_SCREEN_ITEM,
  .item_name = "可口可乐500ml",
  .item_name_ascii = "KKKL500ML",
  .item_price = 350,
  .total = 2350,
};
static const TillPoleDisplayState total_state = {
  .screen = TILL_POLE_DISPLAY_SCREEN_TOTAL,
  .total = 2350,
};
static const TillPoleDisplayState paid_state = {
  .screen = TILL_POLE_DISPLAY_SCREEN_PAID,
  .total = 2350,
  .paid = 5000,
};
static const TillPoleDisplayState change_state = {
  .screen = TILL_POLE_DISPLAY_SCREEN_CHANGE,
  .total = 2350,
  .paid = 5000,
  .change = 2650,
};
static const TillPoleDisplayState thanks_state = { .screen = TILL_POLE_DISPLAY_SCREEN_THANKS };

/* /hw/display/uri */
START_TEST (test_uri)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) display = NULL;
  const char *bad[] = {
    "serial:///dev/ttyUSB1?baud=9600",                    /* no protocol */
    "serial:///dev/ttyUSB1?protocol=vfd9000",             /* unknown protocol */
    "serial:///dev/ttyUSB1?protocol=led8&model=acme",     /* unknown lamp set */
    "serial:///dev/ttyUSB1?protocol=cd5220&text=klingon", /* unknown language */
    "serial:///dev/ttyUSB1?protocol=epson&brightness=9",  /* out of range */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (TillPoleDisplay) refused = till_pole_display_new (bad[i], &error);

      ck_assert_msg (refused == NULL, "accepted %s", bad[i]);
      ck_assert_msg (g_error_matches (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI),
                     "%s: %s", bad[i], error->message);
      g_clear_error (&error);
    }

  display = till_pole_display_new ("serial:///dev/ttyUSB1?baud=2400&protocol=led8", &error);
  ck_assert_ptr_nonnull (display);
  ck_assert_int_eq (till_pole_display_get_protocol (display), TILL_POLE_DISPLAY_PROTOCOL_LED8);
  ck_assert_uint_eq (till_pole_display_get_columns (display), 8);
  ck_assert_uint_eq (till_pole_display_get_rows (display), 1);
  g_clear_object (&display);
  display = till_pole_display_new ("serial:///dev/ttyUSB1?protocol=epson", &error);
  ck_assert_int_eq (till_pole_display_get_protocol (display), TILL_POLE_DISPLAY_PROTOCOL_EPSON);
  ck_assert_uint_eq (till_pole_display_get_columns (display), 20);
  ck_assert_uint_eq (till_pole_display_get_rows (display), 2);
}
END_TEST

/* /hw/display/led8/bytes: the captured POS stream of DEVICES.md §4.1 (init,
 * "5.00", 单价 lamp), with our clear in between. */
START_TEST (test_led8_bytes)
{
  TillPoleDisplayState price = { .screen = TILL_POLE_DISPLAY_SCREEN_ITEM, .item_price = 500 };
  g_autoptr (GBytes) generic = bytes_for ("protocol=led8", &price);
  g_autoptr (GBytes) led8n = NULL;
  g_autoptr (GBytes) partner = NULL;

  assert_bytes (generic,
                "\x1b\x40\x1b\x51\x41"
                "5.00\x0d\x1b\x73\x31",
                13);
  /* The LED8N manual's lamps: STX L and one flag per lamp. */
  led8n = bytes_for ("protocol=led8&model=led8n", &change_state);
  assert_bytes (led8n,
                "\x1b\x40\x1b\x51\x41"
                "26.50\x0d\x02\x4c"
                "0001",
                17);
  partner = bytes_for ("protocol=led8&model=partner", &total_state);
  assert_bytes (partner,
                "\x1b\x40\x1b\x51\x41"
                "23.50\x0d\x1b\x73\x03\x01",
                15);
}
END_TEST

/* /hw/display/led8/sale: price, total, paid, change and clear, each with its
 * lamp, on every lamp command set. */
START_TEST (test_led8_sale)
{
  static const char *const models[] = { "generic", "hisense", "partner", "ejeton", "led8n" };
  const char              *model = models[_i];
  Rig                      rig = { 0 };

  rig_setup (&rig, "led8", model, NULL);

  show (&rig, &item_state);
  assert_digits (&rig, "3.50", TILL_DISPLAY_SIM_LAMP_PRICE);
  if (_i == 0)
    save_png (rig.sim, "led8-1-price.png");
  show (&rig, &total_state);
  assert_digits (&rig, "23.50", TILL_DISPLAY_SIM_LAMP_TOTAL);
  if (_i == 0)
    save_png (rig.sim, "led8-2-total.png");
  show (&rig, &paid_state);
  assert_digits (&rig, "50.00", TILL_DISPLAY_SIM_LAMP_PAID);
  show (&rig, &change_state);
  assert_digits (&rig, "26.50", TILL_DISPLAY_SIM_LAMP_CHANGE);
  if (_i == 0)
    save_png (rig.sim, "led8-3-change.png");

  /* Every byte was a command this model knows. */
  ck_assert_uint_eq (till_display_sim_get_n_garbage_bytes (rig.sim), 0);
  ck_assert_uint_eq (till_display_sim_get_n_resets (rig.sim), 1);

  ck_assert (till_pole_display_clear (rig.display, NULL));
  ck_assert (till_display_sim_sync (rig.sim, SYNC_MS));
  {
    g_autofree char *digits = till_display_sim_dup_digits (rig.sim);
    ck_assert_str_eq (digits, "");
  }
  /* Models with an "all off" command put the lamps out too. */
  if (g_str_equal (model, "generic") || g_str_equal (model, "led8n"))
    ck_assert_uint_eq (till_display_sim_get_lamps (rig.sim), 0);
  if (_i == 0)
    save_png (rig.sim, "led8-4-clear.png");
  rig_teardown (&rig);
}
END_TEST

/* /hw/display/led8/wrong-model: a display of another lamp set ignores our lamp
 * command, which is why the model is configurable. */
START_TEST (test_led8_wrong_model)
{
  g_autoptr (TillDisplaySim) hisense = till_display_sim_new ("led8", "hisense");
  g_autoptr (GBytes) bytes = bytes_for ("protocol=led8&model=generic", &total_state);
  g_autofree char *digits = NULL;
  gsize            len;
  const guint8    *data = g_bytes_get_data (bytes, &len);

  till_display_sim_feed (hisense, data, len);
  digits = till_display_sim_dup_digits (hisense);
  ck_assert_str_eq (digits, "23.50");
  ck_assert_uint_eq (till_display_sim_get_lamps (hisense), 0);
  ck_assert_uint_gt (till_display_sim_get_n_garbage_bytes (hisense), 0);
}
END_TEST

/* /hw/display/led8/limits: what the eight digits cannot show is refused, and
 * nothing is sent. */
START_TEST (test_led8_limits)
{
  Rig rig = { 0 };
  g_autoptr (GError) error = NULL;
  TillPoleDisplayState huge = { .screen = TILL_POLE_DISPLAY_SCREEN_TOTAL, .total = 123456789 };
  TillPoleDisplayState most = { .screen = TILL_POLE_DISPLAY_SCREEN_TOTAL, .total = 99999999 };
  TillPoleDisplayState refund = { .screen = TILL_POLE_DISPLAY_SCREEN_CHANGE, .change = -1250 };

  rig_setup (&rig, "led8", NULL, NULL);
  ck_assert (!till_pole_display_show (rig.display, &huge, &error));
  ck_assert (g_error_matches (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_TOO_LONG));
  g_clear_error (&error);
  ck_assert (!till_pole_display_write_line (rig.display, 1, "HELLO", &error));
  ck_assert (
      g_error_matches (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED));
  g_clear_error (&error);
  ck_assert (!till_pole_display_set_brightness (rig.display, 2, &error));
  ck_assert (
      g_error_matches (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED));
  g_clear_error (&error);
  ck_assert (till_display_sim_sync (rig.sim, SYNC_MS));
  ck_assert_uint_eq (till_display_sim_get_n_bytes (rig.sim), 0);

  show (&rig, &most);
  assert_digits (&rig, "999999.99", TILL_DISPLAY_SIM_LAMP_TOTAL);
  show (&rig, &refund);
  assert_digits (&rig, "-12.50", TILL_DISPLAY_SIM_LAMP_CHANGE);
  rig_teardown (&rig);
}
END_TEST

/* /hw/display/vfd/bytes: one state as each VFD command set spells it. */
START_TEST (test_vfd_bytes)
{
  g_autoptr (GBytes) cd5220 = bytes_for ("protocol=cd5220", &total_state);
  g_autoptr (GBytes) epson = bytes_for ("protocol=epson&brightness=2", &total_state);

  assert_bytes (cd5220,
                "\x1b\x40\x1b\x5f\x00"
                "\x1b\x51\x41"
                "TOTAL          23.50"
                "\x0d"
                "\x1b\x51\x42"
                "                    "
                "\x0d",
                5 + 24 + 24);
  assert_bytes (epson,
                "\x1b\x40\x1f\x01\x1f\x43\x00\x1f\x58\x02"
                "\x1f\x24\x01\x01"
                "TOTAL          23.50"
                "\x1f\x24\x01\x02"
                "                    ",
                10 + 24 + 24);
}
END_TEST

/* /hw/display/vfd/sale: item, total, paid, change, thanks on both command
 * sets, and cursor and brightness. */
START_TEST (test_vfd_sale)
{
  const char *protocol = _i == 0 ? "cd5220" : "epson";
  Rig         rig = { 0 };
  guint       column = 0, row = 0;

  rig_setup (&rig, protocol, NULL, NULL);

  show (&rig, &item_state);
  assert_row (&rig, 1, "KKKL500ML       3.50");
  assert_row (&rig, 2, "TOTAL          23.50");
  {
    g_autofree char *name = g_strdup_printf ("%s-1-item.png", protocol);
    save_png (rig.sim, name);
  }
  show (&rig, &total_state);
  assert_row (&rig, 1, "TOTAL          23.50");
  assert_row (&rig, 2, "                    ");
  show (&rig, &paid_state);
  assert_row (&rig, 1, "TOTAL          23.50");
  assert_row (&rig, 2, "PAID           50.00");
  show (&rig, &change_state);
  assert_row (&rig, 1, "PAID           50.00");
  assert_row (&rig, 2, "CHANGE         26.50");
  {
    g_autofree char *name = g_strdup_printf ("%s-2-change.png", protocol);
    save_png (rig.sim, name);
  }
  show (&rig, &thanks_state);
  assert_row (&rig, 1, "     THANK YOU      ");
  assert_row (&rig, 2, "                    ");
  ck_assert_uint_eq (till_display_sim_get_n_garbage_bytes (rig.sim), 0);
  ck_assert_uint_eq (till_display_sim_get_n_unsupported_chars (rig.sim), 0);
  /* The cursor stays hidden while the till writes rows. */
  ck_assert (!till_display_sim_get_cursor (rig.sim, NULL, NULL));

  /* Free text, brightness and the cursor. */
  ck_assert (till_pole_display_write_line (rig.display, 2, "opentill 1.0 12345678901234", NULL));
  ck_assert (till_pole_display_set_brightness (rig.display, 1, NULL));
  ck_assert (till_pole_display_set_cursor (rig.display, 5, 2, TRUE, NULL));
  ck_assert (till_display_sim_sync (rig.sim, SYNC_MS));
  assert_row (&rig, 2, "opentill 1.0 1234567");
  ck_assert_uint_eq (till_display_sim_get_brightness (rig.sim), 1);
  ck_assert (till_display_sim_get_cursor (rig.sim, &column, &row));
  ck_assert_uint_eq (column, 5);
  ck_assert_uint_eq (row, 2);
  {
    g_autofree char *name = g_strdup_printf ("%s-3-text-dim-cursor.png", protocol);
    save_png (rig.sim, name);
  }

  show (&rig, &(TillPoleDisplayState){ .screen = TILL_POLE_DISPLAY_SCREEN_CLEAR });
  assert_row (&rig, 1, "                    ");
  assert_row (&rig, 2, "                    ");
  rig_teardown (&rig);
}
END_TEST

/* /hw/display/vfd/languages: pinyin words; Chinese only on a display with a
 * GB2312 font; without one Chinese would come out as junk, hence English. */
START_TEST (test_vfd_languages)
{
  Rig rig = { 0 };

  rig_setup (&rig, "cd5220", NULL, "&text=pinyin");
  show (&rig, &change_state);
  assert_row (&rig, 1, "SHOUKUAN       50.00");
  assert_row (&rig, 2, "ZHAOLING       26.50");
  show (&rig, &thanks_state);
  assert_row (&rig, 1, "  XIEXIE GUANGLIN   ");
  rig_teardown (&rig);

  rig_setup (&rig, "epson", NULL, "&text=zh");
  till_display_sim_set_chinese_font (rig.sim, TRUE);
  show (&rig, &item_state);
  assert_row (&rig, 1, "可口可乐500ml   3.50");
  assert_row (&rig, 2, "总计           23.50");
  save_png (rig.sim, "epson-zh-item.png");
  show (&rig, &thanks_state);
  assert_row (&rig, 1, "      谢谢光临      ");
  save_png (rig.sim, "epson-zh-thanks.png");
  ck_assert_uint_eq (till_display_sim_get_n_unsupported_chars (rig.sim), 0);
  rig_teardown (&rig);

  /* The same bytes on a display with only the ASCII font. */
  rig_setup (&rig, "epson", NULL, "&text=zh");
  show (&rig, &thanks_state);
  ck_assert_uint_eq (till_display_sim_get_n_unsupported_chars (rig.sim), 8);
  rig_teardown (&rig);
}
END_TEST

/* /hw/display/sim/cut-and-garbage: commands split across reads, and garbage
 * between them, decode as the device would. */
START_TEST (test_sim_cut_and_garbage)
{
  g_autoptr (TillDisplaySim) vfd = till_display_sim_new ("cd5220", NULL);
  g_autoptr (TillDisplaySim) led = till_display_sim_new ("led8", NULL);
  g_autofree char *row = NULL;
  g_autofree char *digits = NULL;

  till_display_sim_feed (vfd, (const guint8 *) "\x1b\x51", 2);
  till_display_sim_feed (vfd, (const guint8 *) "AHEL", 4);
  row = till_display_sim_dup_row (vfd, 1);
  ck_assert_str_eq (row, "                    "); /* not shown before the CR */
  g_free (row);
  till_display_sim_feed (vfd, (const guint8 *) "LO\r\x01\x1b\x99", 6);
  till_display_sim_feed (vfd, (const guint8 *) "\x1b\x51\x42WORLD\r", 9);
  /* 0x99 is no command: the display draws it where the cursor is (home). */
  row = till_display_sim_dup_row (vfd, 1);
  ck_assert_str_eq (row, "?ELLO               ");
  g_free (row);
  row = till_display_sim_dup_row (vfd, 2);
  ck_assert_str_eq (row, "WORLD               ");
  /* 0x01, ESC and 0x99 (0x99 printed as a glyph the font lacks) */
  ck_assert_uint_eq (till_display_sim_get_n_garbage_bytes (vfd), 2);
  ck_assert_uint_eq (till_display_sim_get_n_unsupported_chars (vfd), 1);

  /* A number cut in the middle, and one with a letter in it. */
  till_display_sim_feed (led, (const guint8 *) "\x1b\x51\x41\x31\x32", 5);
  till_display_sim_feed (led, (const guint8 *) ".5\r\x1b\x73\x32", 6);
  digits = till_display_sim_dup_digits (led);
  ck_assert_str_eq (digits, "12.5");
  g_free (digits);
  till_display_sim_feed (led,
                         (const guint8 *) "\x1b\x51\x41"
                                          "1A\r",
                         6);
  digits = till_display_sim_dup_digits (led);
  ck_assert_str_eq (digits, "12.5");
  ck_assert_uint_eq (till_display_sim_get_n_garbage_bytes (led), 6);
  ck_assert_uint_eq (till_display_sim_get_lamps (led), TILL_DISPLAY_SIM_LAMP_TOTAL);
}
END_TEST

/* /hw/display/unplugged: writes to a display whose cable is gone fail at once
 * with the device named; a display that was never there fails to open. */
START_TEST (test_unplugged)
{
  Rig rig = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPoleDisplay) missing = NULL;
  gint64 start;

  rig_setup (&rig, "cd5220", NULL, "&timeout=2000");
  show (&rig, &total_state);
  till_display_sim_unplug (rig.sim);
  start = g_get_monotonic_time ();
  ck_assert (!till_pole_display_show (rig.display, &change_state, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_msg (strstr (error->message, rig.device_path) != NULL, "%s", error->message);
  ck_assert_int_lt (g_get_monotonic_time () - start, 3 * G_USEC_PER_SEC);
  g_print ("unplugged: %s\n", error->message);
  g_clear_error (&error);
  /* It tries again on the next write, and fails again, as plainly. */
  ck_assert (!till_pole_display_clear (rig.display, &error));
  ck_assert_ptr_nonnull (error);
  g_clear_error (&error);
  rig_teardown (&rig);

  missing = till_pole_display_new ("serial:///dev/ttyNOPE7?protocol=led8", &error);
  ck_assert_ptr_nonnull (missing);
  ck_assert (!till_pole_display_open (missing, &error));
  ck_assert_msg (strstr (error->message, "/dev/ttyNOPE7") != NULL, "%s", error->message);
}
END_TEST

/* /hw/display/silent: a display that stops taking bytes makes the write time
 * out instead of hanging the till. */
START_TEST (test_silent)
{
  Rig rig = { 0 };
  g_autoptr (GError) error = NULL;
  TillPoleDisplayState state = item_state;
  gint64               start = g_get_monotonic_time ();
  guint                n = 0;

  rig_setup (&rig, "epson", NULL, "&timeout=300");
  show (&rig, &total_state);
  till_display_sim_set_silent (rig.sim, TRUE);
  /* The pty takes some kilobytes before it pushes back, as a UART FIFO and a
   * USB adapter's buffer do. */
  while (till_pole_display_show (rig.display, &state, &error))
    {
      state.total += 100;
      n++;
      ck_assert_msg (g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC,
                     "still writing after %u updates", n);
    }
  ck_assert_msg (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT), "%s", error->message);
  ck_assert_msg (strstr (error->message, rig.device_path) != NULL, "%s", error->message);
  g_print ("silent after %u updates: %s\n", n, error->message);
  rig_teardown (&rig);
}
END_TEST

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* /hw/display/post/latest-wins: posts never wait; a slow display skips to the
 * newest state; a failure shows in error-message, and clears once it works. */
START_TEST (test_post_latest_wins)
{
  Rig                  rig = { 0 };
  TillPoleDisplayState state = item_state;
  gint64               start, deadline;
  guint                wake;

  /* 50 ms between commands: each update takes at least 100 ms. */
  rig_setup (&rig, "cd5220", NULL, "&gap=50&timeout=1000");
  start = g_get_monotonic_time ();
  for (guint i = 1; i <= 30; i++)
    {
      state.total = i * 100;
      till_pole_display_post (rig.display, &state);
    }
  /* Posting returned without waiting for the device. */
  ck_assert_int_lt (g_get_monotonic_time () - start, 100 * 1000);
  ck_assert (till_pole_display_wait_idle (rig.display, 10000));
  ck_assert (till_display_sim_sync (rig.sim, SYNC_MS));
  assert_row (&rig, 2, "TOTAL          30.00");
  ck_assert_uint_eq (till_pole_display_get_n_written (rig.display) +
                         till_pole_display_get_n_superseded (rig.display),
                     30);
  ck_assert_uint_gt (till_pole_display_get_n_superseded (rig.display), 0);
  ck_assert_ptr_null (till_pole_display_get_error_message (rig.display));

  /* Unplugged: the failure reaches the main context as error-message. */
  till_display_sim_unplug (rig.sim);
  till_pole_display_post (rig.display, &total_state);
  ck_assert (till_pole_display_wait_idle (rig.display, 10000));
  wake = g_timeout_add (10, wake_cb, NULL);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (till_pole_display_get_error_message (rig.display) == NULL &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  ck_assert_ptr_nonnull (till_pole_display_get_error_message (rig.display));
  ck_assert_msg (strstr (till_pole_display_get_error_message (rig.display), rig.device_path), "%s",
                 till_pole_display_get_error_message (rig.display));
  rig_teardown (&rig);
}
END_TEST

static Suite *
display_suite (void)
{
  Suite *suite = suite_create ("display");
  TCase *tcase;

  tcase = tcase_create ("hw/display/uri");
  tcase_add_test (tcase, test_uri);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("hw/display/led8");
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_led8_bytes);
  tcase_add_loop_test (tcase, test_led8_sale, 0, 5);
  tcase_add_test (tcase, test_led8_wrong_model);
  tcase_add_test (tcase, test_led8_limits);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("hw/display/vfd");
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_vfd_bytes);
  tcase_add_loop_test (tcase, test_vfd_sale, 0, 2);
  tcase_add_test (tcase, test_vfd_languages);
  suite_add_tcase (suite, tcase);

  tcase = tcase_create ("hw/display/faults");
  tcase_set_timeout (tcase, 60);
  tcase_add_test (tcase, test_sim_cut_and_garbage);
  tcase_add_test (tcase, test_unplugged);
  tcase_add_test (tcase, test_silent);
  tcase_add_test (tcase, test_post_latest_wins);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (display_suite ());
}
