/* test-printer-sim.c: tests for hw/sim/till-printer-sim.c, fed by the real encoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <string.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-test-util.h"

static GBytes *
sample_receipt (TillPaperWidth paper, gboolean with_drawer)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (paper);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);

  till_escpos_initialize (pos);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_line (pos, "好邻居便利店");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_line (pos, "北京市海淀区中关村大街1号");
  till_escpos_align (pos, TILL_ALIGN_LEFT);
  till_escpos_separator (pos, '-');
  till_escpos_wrapped (pos, "康师傅红烧牛肉面五连包超值装特惠家庭分享装限时促销版本");
  till_escpos_row (pos, "2 × 12.50", "25.00");
  till_escpos_row (pos, "价格", "¥5");
  till_escpos_separator (pos, '-');
  till_escpos_bold (pos, TRUE);
  till_escpos_size (pos, TRUE, TRUE);
  till_escpos_row (pos, "合计", "30.00");
  till_escpos_size (pos, FALSE, FALSE);
  till_escpos_bold (pos, FALSE);
  till_escpos_align (pos, TILL_ALIGN_CENTER);
  till_escpos_qr (pos, "OT1|T01|00000042");
  till_escpos_line (pos, "谢谢惠顾");
  till_escpos_feed (pos, 3);
  till_escpos_cut (pos);
  if (with_drawer)
    till_escpos_drawer_kick (pos);
  return till_escpos_finish (pos);
}

static TillPrinterSim *
print_bytes (GBytes *bytes, guint width)
{
  TillPrinterSim *sim = till_printer_sim_new (width);
  gsize           len;
  const guint8   *data = g_bytes_get_data (bytes, &len);

  till_printer_sim_feed (sim, data, len);
  till_printer_sim_end_of_stream (sim);
  return sim;
}

static gboolean
has_line (TillPrinterSim *sim, const char *needle)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

/* /hw/printer-sim/parse */

START_TEST (test_decodes_encoder_output)
{
  g_autoptr (GBytes) bytes = sample_receipt (TILL_PAPER_80MM, TRUE);
  g_autoptr (TillPrinterSim) sim = print_bytes (bytes, 576);
  const GPtrArray *qr = till_printer_sim_get_qr_payloads (sim);

  ck_assert (has_line (sim, "好邻居便利店"));
  ck_assert (has_line (sim, "北京市海淀区中关村大街1号"));
  ck_assert (has_line (sim, "康师傅红烧牛肉面"));
  ck_assert (has_line (sim, "25.00"));
  ck_assert (has_line (sim, "￥5"));
  ck_assert (!has_line (sim, "¥"));
  ck_assert (has_line (sim, "谢谢惠顾"));
  ck_assert_uint_eq (qr->len, 1);
  ck_assert_str_eq (g_ptr_array_index (qr, 0), "OT1|T01|00000042");
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_unsupported_chars (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
  ck_assert (till_printer_sim_get_chinese_mode (sim));
}
END_TEST

START_TEST (test_double_size_row_fits)
{
  g_autoptr (GBytes) bytes = sample_receipt (TILL_PAPER_58MM, FALSE);
  g_autoptr (TillPrinterSim) sim = print_bytes (bytes, 384);
  const GPtrArray *lines = till_printer_sim_get_lines (sim);
  gboolean         found = FALSE;

  /* The double-size total row is 16 double-width columns: exactly the paper. */
  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), "合计"))
      {
        ck_assert_uint_eq (till_escpos_text_width (g_ptr_array_index (lines, i)), 16);
        found = TRUE;
      }
  ck_assert (found);
  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (sim), 0);
}
END_TEST

START_TEST (test_byte_by_byte)
{
  g_autoptr (GBytes) bytes = sample_receipt (TILL_PAPER_80MM, TRUE);
  g_autoptr (TillPrinterSim) whole = print_bytes (bytes, 576);
  g_autoptr (TillPrinterSim) drip = till_printer_sim_new (576);
  gsize            len;
  const guint8    *data = g_bytes_get_data (bytes, &len);
  const GPtrArray *a, *b;

  /* A command split across writes is completed by the next write. */
  for (gsize i = 0; i < len; i++)
    till_printer_sim_feed (drip, data + i, 1);
  till_printer_sim_end_of_stream (drip);

  a = till_printer_sim_get_lines (whole);
  b = till_printer_sim_get_lines (drip);
  ck_assert_uint_eq (a->len, b->len);
  for (guint i = 0; i < a->len; i++)
    ck_assert_str_eq (g_ptr_array_index (a, i), g_ptr_array_index (b, i));
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (drip), 0),
                    "OT1|T01|00000042");
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (drip), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (drip), 0);
}
END_TEST

START_TEST (test_status_reply)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  g_autoptr (GBytes) replies = NULL;
  g_autoptr (GBytes) empty = NULL;

  till_printer_sim_set_status (sim, 4, 0x72);
  till_printer_sim_feed (sim, (const guint8 *) "\x10\x04\x01\x10\x04\x04", 6);
  replies = till_printer_sim_take_replies (sim);
  ck_assert_uint_eq (g_bytes_get_size (replies), 2);
  ck_assert_uint_eq (((const guint8 *) g_bytes_get_data (replies, NULL))[0], 0x12);
  ck_assert_uint_eq (((const guint8 *) g_bytes_get_data (replies, NULL))[1], 0x72);
  empty = till_printer_sim_take_replies (sim);
  ck_assert_uint_eq (g_bytes_get_size (empty), 0);
}
END_TEST

START_TEST (test_unsupported_chars)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  /* A raw half-width ¥ in GB18030 (4 bytes), then code page bytes outside
   * Chinese mode. */
  const guint8 stream[] = { 0x81, 0x30, 0x84, 0x36, '\n', 0x1c, 0x2e, 0xc4, 0xcd, '\n' };

  till_printer_sim_feed (sim, stream, sizeof stream);
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_n_unsupported_chars (sim), 3);
  ck_assert (!till_printer_sim_get_chinese_mode (sim));
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_lines (sim), 0), "¥");
}
END_TEST

START_TEST (test_overflow_wraps)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (384);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillEscpos) pos = till_escpos_new (profile);
  g_autoptr (GBytes) bytes = NULL;

  /* An 80 mm separator on 58 mm paper: 48 columns where 32 fit. */
  till_escpos_separator (pos, '=');
  bytes = till_escpos_finish (pos);
  till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_lines (sim)->len, 2);
  ck_assert_uint_eq (strlen (g_ptr_array_index (till_printer_sim_get_lines (sim), 0)), 32);
}
END_TEST

/* /hw/printer-sim/garbage */

START_TEST (test_garbage_counted)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  const guint8 stream[] = { 0x00, 0x07, 0x1b, 0xee, 'O', 'K', 0x80, 0xff, 0x1d, 0x99, '\n' };

  till_printer_sim_feed (sim, stream, sizeof stream);
  till_printer_sim_end_of_stream (sim);
  /* NUL, BEL, ESC (unknown command), 80, FF, GS (unknown command), then 99 as a
   * lead byte whose trail (LF) is not a GBK trail byte; EE 'O' is a valid GBK pair. */
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 7);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_lines (sim)->len, 1);
}
END_TEST

START_TEST (test_truncated_command)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  /* A QR store announcing 10 bytes of data but cut after 1. */
  const guint8 stream[] = { 'A', '\n', 0x1d, 0x28, 0x6b, 0x0a, 0x00, 0x31, 0x50, 0x30, 'O' };

  till_printer_sim_feed (sim, stream, sizeof stream);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 0);
  ck_assert_uint_eq (till_printer_sim_get_lines (sim)->len, 1);
}
END_TEST

START_TEST (test_truncated_raster_and_text)
{
  const guint8  raster[] = { 0x1d, 0x76, 0x30, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00 };
  const guint8  lead_byte[] = { 0xba };
  const guint8 *streams[] = { raster, lead_byte };
  const gsize   lengths[] = { sizeof raster, sizeof lead_byte };

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);

      till_printer_sim_feed (sim, streams[i], lengths[i]);
      till_printer_sim_end_of_stream (sim);
      ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 1);
      ck_assert_uint_eq (till_printer_sim_get_n_raster_images (sim), 0);
    }
}
END_TEST

START_TEST (test_random_bytes)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (GBytes) good = sample_receipt (TILL_PAPER_80MM, TRUE);
  gsize         good_len;
  const guint8 *good_data = g_bytes_get_data (good, &good_len);

  /* Random streams and the sample with random bytes flipped: whatever comes in,
   * no crash, no read past the end (ASan), and every receipt renders. */
  for (guint round = 0; round < 300; round++)
    {
      g_autoptr (TillPrinterSim) sim = till_printer_sim_new (384);
      g_autofree guint8 *data = g_memdup2 (good_data, good_len);
      gsize              len = good_len;

      if (round % 2 == 0)
        for (guint i = 0; i < 20; i++)
          data[g_rand_int_range (rand, 0, (gint32) good_len)] = (guint8) g_rand_int (rand);
      else
        {
          len = g_rand_int_range (rand, 1, 400);
          for (gsize i = 0; i < len; i++)
            data[i] = (guint8) g_rand_int (rand);
        }
      till_printer_sim_feed (sim, data, len);
      till_printer_sim_end_of_stream (sim);
      if (round < 20)
        for (guint r = 0; r < till_printer_sim_get_n_receipts (sim); r++)
          {
            g_autofree char *dir = till_test_make_tmpdir ();
            g_autofree char *path = g_build_filename (dir, "r.png", NULL);
            g_autoptr (GError) error = NULL;

            ck_assert (till_printer_sim_render_png (sim, r, path, &error));
            till_test_remove_tree (dir);
          }
    }
}
END_TEST

/* /hw/printer-sim/render */

static void
check_png (const char *path, int expected_width)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  int              width, height, stride;
  const guint8    *pixels;
  guint64          dark = 0;
  guint64          dark_top_quarter = 0;

  ck_assert_int_eq (cairo_surface_status (surface), CAIRO_STATUS_SUCCESS);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  pixels = cairo_image_surface_get_data (surface);
  ck_assert_int_eq (width, expected_width);
  ck_assert_int_gt (height, 300);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel = *(const guint32 *) (pixels + y * stride + x * 4);

        if ((pixel & 0xff) < 0x40) /* blue channel: black ink, not the grey cut mark */
          {
            dark++;
            if (y < height / 4)
              dark_top_quarter++;
          }
      }
  /* Ink, but a receipt is mostly paper; the store name is at the top. */
  ck_assert_uint_gt (dark, 3000);
  ck_assert_uint_lt (dark, (guint64) width * height / 3);
  ck_assert_uint_gt (dark_top_quarter, 300);
  cairo_surface_destroy (surface);
}

START_TEST (test_render_png)
{
  const TillPaperWidth papers[] = { TILL_PAPER_58MM, TILL_PAPER_80MM };
  const int            widths[] = { 384, 576 };

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (GBytes) bytes = sample_receipt (papers[i], FALSE);
      g_autoptr (TillPrinterSim) sim = print_bytes (bytes, widths[i]);
      g_autofree char *name = g_strdup_printf ("sim-sample-%d.png", widths[i]);
      g_autofree char *path = till_test_output_path ("receipts", name);
      g_autoptr (GError) error = NULL;

      ck_assert_msg (till_printer_sim_render_png (sim, 0, path, &error), "%s",
                     error ? error->message : "");
      check_png (path, widths[i]);
    }
}
END_TEST

START_TEST (test_render_missing_receipt)
{
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  g_autoptr (GError) error = NULL;

  till_printer_sim_feed (sim, (const guint8 *) "no cut yet\n", 11);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 0);
  ck_assert (!till_printer_sim_render_png (sim, 0, "/nonexistent/x.png", &error));
  ck_assert (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
}
END_TEST

START_TEST (test_write_receipts)
{
  g_autoptr (GBytes) bytes = sample_receipt (TILL_PAPER_80MM, FALSE);
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *first = g_build_filename (dir, "receipt-0001.png", NULL);
  g_autofree char *second = g_build_filename (dir, "receipt-0002.png", NULL);
  g_autofree char *third = g_build_filename (dir, "receipt-0003.png", NULL);
  g_autoptr (GError) error = NULL;
  guint n = 0;

  till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  ck_assert (till_printer_sim_write_receipts (sim, dir, &n, &error));
  ck_assert_uint_eq (n, 2);
  ck_assert (g_file_test (first, G_FILE_TEST_EXISTS));
  ck_assert (g_file_test (second, G_FILE_TEST_EXISTS));
  /* Already written receipts are not written again. */
  ck_assert (till_printer_sim_write_receipts (sim, dir, &n, &error));
  ck_assert_uint_eq (n, 0);
  ck_assert (!g_file_test (third, G_FILE_TEST_EXISTS));
  till_test_remove_tree (dir);
}
END_TEST

static Suite *
printer_sim_suite (void)
{
  Suite *suite = suite_create ("/hw/printer-sim");
  TCase *parse = tcase_create ("/hw/printer-sim/parse");
  TCase *garbage = tcase_create ("/hw/printer-sim/garbage");
  TCase *render = tcase_create ("/hw/printer-sim/render");

  tcase_add_test (parse, test_decodes_encoder_output);
  tcase_add_test (parse, test_double_size_row_fits);
  tcase_add_test (parse, test_byte_by_byte);
  tcase_add_test (parse, test_status_reply);
  tcase_add_test (parse, test_unsupported_chars);
  tcase_add_test (parse, test_overflow_wraps);
  suite_add_tcase (suite, parse);

  tcase_add_test (garbage, test_garbage_counted);
  tcase_add_test (garbage, test_truncated_command);
  tcase_add_test (garbage, test_truncated_raster_and_text);
  tcase_add_test (garbage, test_random_bytes);
  suite_add_tcase (suite, garbage);

  tcase_add_test (render, test_render_png);
  tcase_add_test (render, test_render_missing_receipt);
  tcase_add_test (render, test_write_receipts);
  suite_add_tcase (suite, render);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (printer_sim_suite ());
}
