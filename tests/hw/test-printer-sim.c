/* test-printer-sim.c: tests for hw/sim/till-printer-sim.c, fed by the real encoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <string.h>
#include <zbar.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-qr-decoder.h"
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

/* /hw/printer-sim/barcode */

#define PAPER_80 576

/* A receipt with one GS k barcode between two text lines: ESC a @align, GS w
 * @module, GS h @height, GS H @hri, then GS k m with @data (function A adds
 * the NUL, function B the length byte). */
static GBytes *
barcode_receipt (
    guint8 m, const char *data, gsize len, guint8 align, guint8 module, guint8 height, guint8 hri)
{
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  const guint8 setup[] = { 0x1b,   '@',  0x1b, 'a',    align, 0x1d, 'w',
                           module, 0x1d, 'h',  height, 0x1d,  'H',  hri };
  const guint8 head[] = { 0x1d, 'k', m, (guint8) len };
  const guint8 cut[] = { 0x1d, 'V', 0x00 };

  g_byte_array_append (bytes, setup, sizeof setup);
  g_byte_array_append (bytes, (const guint8 *) "BEFORE\n", 7);
  /* Function A (m 0-6) ends its data with a NUL; function B counts it. */
  g_byte_array_append (bytes, head, m <= 6 ? 3 : 4);
  g_byte_array_append (bytes, (const guint8 *) data, (guint) len);
  if (m <= 6)
    g_byte_array_append (bytes, (const guint8 *) "", 1);
  g_byte_array_append (bytes, (const guint8 *) "AFTER\n", 6);
  g_byte_array_append (bytes, cut, sizeof cut);
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

/* The receipt as grey levels (green channel), with a white border: a barcode
 * printed against the paper's edge still has its quiet zone. */
#define SCAN_BORDER 40

static guint8 *
load_grey (const char *path, guint *out_width, guint *out_height)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  guint            width, height, stride;
  const guint8    *data;
  guint8          *grey;

  ck_assert_int_eq (cairo_surface_status (surface), CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  width = (guint) cairo_image_surface_get_width (surface);
  height = (guint) cairo_image_surface_get_height (surface);
  stride = (guint) cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  *out_width = width + 2 * SCAN_BORDER;
  *out_height = height + 2 * SCAN_BORDER;
  grey = g_malloc ((gsize) *out_width * *out_height);
  memset (grey, 0xff, (gsize) *out_width * *out_height);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      grey[(gsize) (y + SCAN_BORDER) * *out_width + x + SCAN_BORDER] =
          (guint8) (*(const guint32 *) (data + (gsize) y * stride + x * 4) >> 8);
  cairo_surface_destroy (surface);
  return grey;
}

/* What zbar reads in the PNG, looking for @type only (so a UPC-A is read as
 * UPC-A, not as the EAN-13 it also is). */
static GPtrArray *
scan_png (const char *path, zbar_symbol_type_t type)
{
  GPtrArray            *found = g_ptr_array_new_with_free_func (g_free);
  zbar_image_scanner_t *scanner = zbar_image_scanner_create ();
  zbar_image_t         *image = zbar_image_create ();
  guint                 width, height;
  g_autofree guint8    *grey = load_grey (path, &width, &height);

  zbar_image_scanner_set_config (scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  zbar_image_scanner_set_config (scanner, type, ZBAR_CFG_ENABLE, 1);
  /* zbar reads UPC-A with its EAN-13 decoder, then reports it as UPC-A. */
  if (type == ZBAR_UPCA)
    zbar_image_scanner_set_config (scanner, ZBAR_EAN13, ZBAR_CFG_ENABLE, 1);
  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, width, height);
  zbar_image_set_data (image, grey, (unsigned long) width * height, NULL);
  if (zbar_scan_image (scanner, image) > 0)
    for (const zbar_symbol_t *symbol = zbar_image_first_symbol (image); symbol != NULL;
         symbol = zbar_symbol_next (symbol))
      if (zbar_symbol_get_type (symbol) == type)
        g_ptr_array_add (found, g_strdup (zbar_symbol_get_data (symbol)));
  zbar_image_destroy (image);
  zbar_image_scanner_destroy (scanner);
  return found;
}

static char *
render_receipt (TillPrinterSim *sim, const char *name)
{
  g_autofree char *file = g_strdup_printf ("sim-barcode-%s.png", name);
  char            *path = till_test_output_path ("receipts", file);
  g_autoptr (GError) error = NULL;

  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
  ck_assert_msg (till_printer_sim_render_png (sim, 0, path, &error), "%s",
                 error ? error->message : "");
  return path;
}

typedef struct
{
  const char        *name;
  guint8             m;
  const char        *data;
  gsize              len; /* 0: strlen (data) */
  guint8             align;
  guint8             module;
  zbar_symbol_type_t type;
  const char        *expected;
} BarcodeCase;

static const BarcodeCase barcode_cases[] = {
  /* The printer adds the check digit to 12 digits (6901234567892). */
  { "ean13-12", 67, "690123456789", 0, 1, 3, ZBAR_EAN13, "6901234567892" },
  { "ean13-a", 2, "4006381333931", 0, 0, 2, ZBAR_EAN13, "4006381333931" },
  { "ean8-7", 68, "9638507", 0, 2, 3, ZBAR_EAN8, "96385074" },
  { "ean8-a", 3, "55123457", 0, 1, 4, ZBAR_EAN8, "55123457" },
  { "upca-11", 65, "03600029145", 0, 1, 3, ZBAR_UPCA, "036000291452" },
  { "upca-a", 0, "012345678905", 0, 0, 2, ZBAR_UPCA, "012345678905" },
  { "code39", 69, "OPENTILL-42", 0, 1, 2, ZBAR_CODE39, "OPENTILL-42" },
  /* Start and stop sent by the driver are the ones the printer adds. */
  { "code39-a", 4, "*A $/+%.9*", 0, 1, 2, ZBAR_CODE39, "A $/+%.9" },
  { "code128-b", 73, "{BHX-0042", 0, 1, 3, ZBAR_CODE128, "HX-0042" },
  { "code128-brace", 73, "{Bx{{y}", 0, 2, 2, ZBAR_CODE128, "x{y}" },
  /* Set C takes one byte 0-99 per pair of digits. */
  { "code128-c", 73, "{C\x0c\x22\x38\x4e", 6, 0, 3, ZBAR_CODE128, "12345678" },
  { "code128-switch", 73, "{AAB{C\x0c\x22{Bcd", 12, 1, 2, ZBAR_CODE128, "AB1234cd" },
  { "code128-shift", 73, "{Bab{SCd", 0, 1, 3, ZBAR_CODE128, "abCd" },
};

/* Each symbology, printed through the simulator and read back from its PNG by
 * zbar; the text after the bars still prints. */
START_TEST (test_barcode_decodes)
{
  const BarcodeCase *c = &barcode_cases[_i];
  gsize              len = c->len > 0 ? c->len : strlen (c->data);
  g_autoptr (GBytes) bytes = barcode_receipt (c->m, c->data, len, c->align, c->module, 80, 0);
  g_autoptr (TillPrinterSim) sim = print_bytes (bytes, PAPER_80);
  g_autofree char *path = render_receipt (sim, c->name);
  g_autoptr (GPtrArray) found = scan_png (path, c->type);
  const GPtrArray *barcodes = till_printer_sim_get_barcodes (sim);
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  ck_assert_msg (found->len == 1, "%s: zbar found %u codes", c->name, found->len);
  ck_assert_str_eq (g_ptr_array_index (found, 0), c->expected);
  ck_assert_uint_eq (barcodes->len, 1);
  ck_assert_str_eq (g_ptr_array_index (barcodes, 0), c->expected);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (lines->len, 2);
  ck_assert_str_eq (g_ptr_array_index (lines, 0), "BEFORE");
  ck_assert_str_eq (g_ptr_array_index (lines, 1), "AFTER");
}
END_TEST

/* The same barcodes through the hw library's camera decoder. */
START_TEST (test_barcode_camera_decoder)
{
  g_autoptr (TillQrDecoder) decoder =
      till_qr_decoder_new (TILL_QR_SYMBOLOGY_EAN13 | TILL_QR_SYMBOLOGY_CODE128, 1);
  const guint cases[] = { 0, 8 }; /* EAN-13 of 12 digits, Code 128 set B */

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BarcodeCase *c = &barcode_cases[cases[i]];
      g_autoptr (GBytes) bytes =
          barcode_receipt (c->m, c->data, strlen (c->data), c->align, c->module, 80, 0);
      g_autoptr (TillPrinterSim) sim = print_bytes (bytes, PAPER_80);
      g_autofree char   *path = render_receipt (sim, c->name);
      guint              width, height;
      g_autofree guint8 *grey = load_grey (path, &width, &height);
      g_autoptr (GPtrArray) found =
          till_qr_decoder_decode_grey (decoder, grey, width, height, width);

      ck_assert_uint_eq (found->len, 1);
      ck_assert_str_eq (g_ptr_array_index (found, 0), c->expected);
    }
}
END_TEST

typedef struct
{
  guint left, right; /* dark columns: first, one past the last */
  guint top, bottom; /* dark rows below the BEFORE line */
} InkBox;

/* The box of black ink from row @from down, in the unpadded PNG. */
static InkBox
ink_box (const char *path, guint from, guint to)
{
  guint              width, height;
  g_autofree guint8 *grey = load_grey (path, &width, &height);
  InkBox             box = { G_MAXUINT, 0, G_MAXUINT, 0 };

  for (guint y = from; y < to && y + 2 * SCAN_BORDER < height; y++)
    for (guint x = 0; x + 2 * SCAN_BORDER < width; x++)
      if (grey[(gsize) (y + SCAN_BORDER) * width + x + SCAN_BORDER] < 0x40)
        {
          box.left = MIN (box.left, x);
          box.right = MAX (box.right, x + 1);
          box.top = MIN (box.top, y);
          box.bottom = MAX (box.bottom, y + 1);
        }
  return box;
}

/* Module width (GS w), height (GS h) and alignment (ESC a) in dots: EAN-13 is
 * 95 modules from its first bar to its last. ESC @ restores the defaults. */
START_TEST (test_barcode_geometry)
{
  const guint8 aligns[] = { 0, 1, 2 };
  /* The BEFORE line ends 16 + 30 dots down; the bars start there. */
  const guint bars_top = 16 + 30;

  for (guint i = 0; i < G_N_ELEMENTS (aligns); i++)
    {
      g_autoptr (GBytes) bytes = barcode_receipt (67, "690123456789", 12, aligns[i], 2, 80, 0);
      g_autoptr (TillPrinterSim) sim = print_bytes (bytes, PAPER_80);
      g_autofree char *name = g_strdup_printf ("geometry-%u", aligns[i]);
      g_autofree char *path = render_receipt (sim, name);
      InkBox           box = ink_box (path, bars_top, bars_top + 80);
      guint            expected_left[] = { 0, (PAPER_80 - 190) / 2, PAPER_80 - 190 };

      ck_assert_uint_eq (box.right - box.left, 95 * 2);
      ck_assert_uint_eq (box.left, expected_left[aligns[i]]);
      ck_assert_uint_eq (box.top, bars_top);
      ck_assert_uint_eq (box.bottom, bars_top + 80);
      /* The bars end there: the AFTER line's ink starts a few dots lower. */
      box = ink_box (path, bars_top + 80, bars_top + 80 + 2);
      ck_assert_uint_eq (box.bottom, 0);
    }

  {
    /* GS h 40 and GS w 5, then ESC @: back to 162 dots and 3-dot modules. */
    const guint8 stream[] = { 0x1d, 'h', 40,  0x1d, 'w', 5,   0x1b, '@', 'B', '\n',
                              0x1d, 'k', 67,  12,   '6', '9', '0',  '1', '2', '3',
                              '4',  '5', '6', '7',  '8', '9', 0x1d, 'V', 0x00 };
    g_autoptr (TillPrinterSim) sim = till_printer_sim_new (PAPER_80);
    g_autofree char *path = NULL;
    InkBox           box;

    till_printer_sim_feed (sim, stream, sizeof stream);
    path = render_receipt (sim, "defaults");
    box = ink_box (path, bars_top, bars_top + 400);
    ck_assert_uint_eq (box.right - box.left, 95 * 3);
    ck_assert_uint_eq (box.bottom - box.top, 162);
  }
}
END_TEST

/* The HRI band of 24 dots from @top, when @printed: digits' ink, shorter than
 * the band, centred on the 190-dot bars of a centred EAN-13 on 80 mm paper. */
static void
check_hri_band (const char *path, gboolean printed, guint top)
{
  InkBox box = ink_box (path, top, top + 24);

  if (!printed)
    return;
  ck_assert_uint_gt (box.bottom, 0);
  ck_assert_uint_lt (box.bottom - box.top, 24);
  ck_assert_uint_gt (box.left, (PAPER_80 - 190) / 2);
  ck_assert_uint_lt (box.right, (PAPER_80 + 190) / 2);
}

/* GS H: the HRI digits print above, below or both, and count as printed text;
 * the bars still decode. */
START_TEST (test_barcode_hri)
{
  const guint8 positions[] = { 0, 1, 2, 3, 50 };
  const guint  n_lines[] = { 2, 3, 3, 4, 3 };
  guint        heights[G_N_ELEMENTS (positions)];

  for (guint i = 0; i < G_N_ELEMENTS (positions); i++)
    {
      g_autoptr (GBytes) bytes = barcode_receipt (67, "690123456789", 12, 1, 2, 80, positions[i]);
      g_autoptr (TillPrinterSim) sim = print_bytes (bytes, PAPER_80);
      g_autofree char *name = g_strdup_printf ("hri-%u", positions[i]);
      g_autofree char *path = render_receipt (sim, name);
      g_autoptr (GPtrArray) found = scan_png (path, ZBAR_EAN13);
      const GPtrArray *lines = till_printer_sim_get_lines (sim);
      cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
      guint            hri = positions[i] % 48;

      heights[i] = (guint) cairo_image_surface_get_height (surface);
      cairo_surface_destroy (surface);
      ck_assert_uint_eq (found->len, 1);
      ck_assert_uint_eq (lines->len, n_lines[i]);
      ck_assert_str_eq (g_ptr_array_index (lines, 0), "BEFORE");
      if (hri & 1)
        ck_assert_str_eq (g_ptr_array_index (lines, 1), "6901234567892");
      if (hri & 2)
        ck_assert_str_eq (g_ptr_array_index (lines, lines->len - 2), "6901234567892");
      ck_assert_str_eq (g_ptr_array_index (lines, lines->len - 1), "AFTER");
      check_hri_band (path, hri & 1, 16 + 30);
      check_hri_band (path, hri & 2, 16 + 30 + (hri & 1 ? 28 : 0) + 80 + 4);
    }
  /* Each HRI line takes a text cell and a gap. */
  ck_assert_uint_eq (heights[1], heights[0] + 28);
  ck_assert_uint_eq (heights[2], heights[0] + 28);
  ck_assert_uint_eq (heights[3], heights[0] + 56);
}
END_TEST

/* Data a printer would reject is consumed and draws nothing; the text after it
 * prints, and nothing is left waiting for more bytes. */
START_TEST (test_barcode_malformed)
{
  static const struct
  {
    guint8      m;
    const char *data;
    gsize       len;
  } bad[] = {
    { 67, "69012345678", 11 },   /* EAN-13 one digit short */
    { 67, "69012345678A", 12 },  /* a letter in EAN-13 */
    { 2, "69012345678901", 14 }, /* EAN-13 too long, function A */
    { 68, "963850", 6 },         /* EAN-8 short */
    { 65, "0360002914X", 11 },   /* UPC-A with a letter */
    { 69, "lower", 5 },          /* Code 39 has no lower case */
    { 69, "A*B", 3 },            /* '*' inside Code 39 */
    { 73, "HX-0042", 7 },        /* Code 128 without a code set */
    { 73, "{Zabc", 5 },          /* no code set Z */
    { 73, "{B", 2 },             /* no data */
    { 73, "{Babc{", 6 },         /* a selector cut off */
    { 73, "{C\x64", 3 },         /* set C stops at 99 */
    { 73, "{A\x7b\x7b", 4 },     /* "{{" in set A */
    { 73, "{Babc{S", 7 },        /* shift with nothing to shift */
    { 73, "", 0 },               /* function B with n = 0 */
    { 1, "01234565", 8 },        /* UPC-E: not drawn by the simulator */
    { 99, "1234", 4 },           /* no such symbology */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GBytes) bytes = barcode_receipt (bad[i].m, bad[i].data, bad[i].len, 1, 3, 80, 2);
      g_autoptr (TillPrinterSim) sim = print_bytes (bytes, PAPER_80);
      g_autofree char *name = g_strdup_printf ("malformed-%u", i);
      g_autofree char *path = render_receipt (sim, name);
      const GPtrArray *lines = till_printer_sim_get_lines (sim);
      g_autoptr (GPtrArray) found = scan_png (path, ZBAR_EAN13);

      ck_assert_msg (till_printer_sim_get_barcodes (sim)->len == 0, "case %u drew bars", i);
      ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 1);
      ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
      ck_assert_uint_eq (lines->len, 2);
      ck_assert_str_eq (g_ptr_array_index (lines, 1), "AFTER");
      /* No bars: AFTER follows BEFORE, and below it the paper is blank where
       * the bars would have been. */
      ck_assert (ink_box (path, 16 + 30 + 30, 16 + 30 + 80).bottom == 0);
      ck_assert_uint_eq (found->len, 0);
    }
}
END_TEST

/* Bars wider than the paper are not printed; on wider paper they are. */
START_TEST (test_barcode_too_wide)
{
  const char *data = "{BOPENTILL-SHELF-LABEL-0042";
  g_autoptr (GBytes) bytes = barcode_receipt (73, data, strlen (data), 1, 3, 80, 0);
  g_autoptr (TillPrinterSim) narrow = print_bytes (bytes, 384);
  g_autoptr (TillPrinterSim) wide = print_bytes (bytes, 1024);

  /* 26 symbols of 11 modules and the stop: 299 modules, 897 dots. */
  ck_assert_uint_eq (till_printer_sim_get_barcodes (narrow)->len, 0);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (narrow), 1);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_lines (narrow), 1), "AFTER");
  ck_assert_uint_eq (till_printer_sim_get_barcodes (wide)->len, 1);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_barcodes (wide), 0),
                    "OPENTILL-SHELF-LABEL-0042");
}
END_TEST

/* A barcode split over many writes prints the same bars. */
START_TEST (test_barcode_byte_by_byte)
{
  g_autoptr (GBytes) bytes = barcode_receipt (2, "4006381333931", 13, 1, 3, 80, 2);
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (PAPER_80);
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    till_printer_sim_feed (sim, data + i, 1);
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_barcodes (sim)->len, 1);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_barcodes (sim), 0), "4006381333931");
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
}
END_TEST

static Suite *
printer_sim_suite (void)
{
  Suite *suite = suite_create ("/hw/printer-sim");
  TCase *parse = tcase_create ("/hw/printer-sim/parse");
  TCase *garbage = tcase_create ("/hw/printer-sim/garbage");
  TCase *render = tcase_create ("/hw/printer-sim/render");
  TCase *barcode = tcase_create ("/hw/printer-sim/barcode");

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

  tcase_add_loop_test (barcode, test_barcode_decodes, 0, G_N_ELEMENTS (barcode_cases));
  tcase_add_test (barcode, test_barcode_camera_decoder);
  tcase_add_test (barcode, test_barcode_geometry);
  tcase_add_test (barcode, test_barcode_hri);
  tcase_add_test (barcode, test_barcode_malformed);
  tcase_add_test (barcode, test_barcode_too_wide);
  tcase_add_test (barcode, test_barcode_byte_by_byte);
  suite_add_tcase (suite, barcode);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (printer_sim_suite ());
}
