/* test-shelf-label.c: tests for src/receipt/till-shelf-label.c: labels
 * printed on the simulator (PNGs in $OPENTILL_TEST_OUTPUT/receipts), and the
 * label printer's PDF rendered by poppler and its bars read back by zbar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <string.h>

#include "till-escpos.h"
#include "till-printer-sim.h"
#include "till-qr-decoder.h"
#include "till-shelf-label.h"
#include "till-test-util.h"

/* cairo 1.16 loses two small arrays when it finishes a PDF surface; it is
 * built without frame pointers, so only the slow unwinder finds the frame. */
const char *__lsan_default_suppressions (void);
const char *
__lsan_default_suppressions (void)
{
  return "leak:cairo_surface_finish\n";
}

const char *__asan_default_options (void);
const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

#define DAY "2026-11-23"

typedef struct
{
  char          *water_ean; /* a valid EAN-13 */
  TillShelfLabel labels[3];
} Fixture;

static Fixture fx;

/* Water (EAN-13, no member price), pork (weighed, member price, no barcode:
 * its SKU as Code 128) and noodles (a long name, a member price, an in-store
 * code that is not an EAN: Code 128). */
static void
fixture_setup (void)
{
  fx.water_ean = till_barcode_ean13_complete ("692116850925");
  fx.labels[0] = (TillShelfLabel){ .name = "农夫山泉饮用天然水550ml",
                                   .sku = "100001",
                                   .barcode = fx.water_ean,
                                   .unit = "瓶",
                                   .price = 200,
                                   .printed_day = DAY };
  fx.labels[1] = (TillShelfLabel){ .name = "精品猪五花肉",
                                   .sku = "200001",
                                   .unit = "kg",
                                   .price = 2580,
                                   .member_price = 2380,
                                   .weighed = TRUE,
                                   .printed_day = DAY };
  fx.labels[2] = (TillShelfLabel){ .name = "康师傅经典红烧牛肉面五连包超值装（限时特惠家庭分享装）",
                                   .sku = "100003",
                                   .barcode = "HX-0042",
                                   .unit = "包",
                                   .price = 1250,
                                   .member_price = 1100,
                                   .printed_day = DAY };
}

static void
fixture_teardown (void)
{
  g_clear_pointer (&fx.water_ean, g_free);
}

static gboolean
contains_bytes (GBytes *haystack, const void *needle, gsize len)
{
  gsize         size;
  const guint8 *data = g_bytes_get_data (haystack, &size);

  for (gsize i = 0; i + len <= size; i++)
    if (memcmp (data + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
contains_text (GBytes *haystack, const char *utf8, TillCharset charset)
{
  g_autoptr (GBytes) encoded = till_escpos_encode_text (utf8, charset);
  gsize         len;
  const guint8 *data = g_bytes_get_data (encoded, &len);

  return contains_bytes (haystack, data, len);
}

static TillPrinterSim *
print_on_sim (GBytes *bytes, guint dots)
{
  TillPrinterSim *sim = till_printer_sim_new (dots);
  gsize           size;
  const guint8   *data = g_bytes_get_data (bytes, &size);

  till_printer_sim_feed (sim, data, size);
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
  return sim;
}

static gboolean
receipt_has_line (TillPrinterSim *sim, guint index, const char *text)
{
  const GPtrArray *lines = till_printer_sim_get_receipt_lines (sim, index);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* The codes zbar reads in a PNG (grey levels from the green channel). */
static GPtrArray *
decode_png (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  g_autoptr (TillQrDecoder) decoder =
      till_qr_decoder_new (TILL_QR_SYMBOLOGY_EAN13 | TILL_QR_SYMBOLOGY_CODE128, 1);
  g_autofree guint8 *grey = NULL;
  int                width, height, stride;
  const guint8      *data;
  GPtrArray         *found;

  ck_assert_int_eq (cairo_surface_status (surface), CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  width = cairo_image_surface_get_width (surface);
  height = cairo_image_surface_get_height (surface);
  stride = cairo_image_surface_get_stride (surface);
  data = cairo_image_surface_get_data (surface);
  grey = g_malloc ((gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      grey[(gsize) y * width + x] = (*(const guint32 *) (data + (gsize) y * stride + x * 4) >> 8);
  found = till_qr_decoder_decode_grey (decoder, grey, width, height, width);
  cairo_surface_destroy (surface);
  return found;
}

static gboolean
found_code (GPtrArray *codes, const char *code)
{
  for (guint i = 0; i < codes->len; i++)
    if (strcmp (g_ptr_array_index (codes, i), code) == 0)
      return TRUE;
  return FALSE;
}

/* /hw/shelf-label/escpos-80: a printer that draws barcodes gets GS k with the
 * right digits; name, price (GB18030) and member price on each label; one cut
 * after each label. */
START_TEST (test_escpos_80)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  guint8 ean_command[4 + 13] = { 0x1d, 'k', 67, 13 };
  guint8 pork_command[4 + 8] = { 0x1d, 'k', 73, 8, '{', 'B', '2', '0', '0', '0', '0', '1' };
  guint8 code_command[4 + 9] = { 0x1d, 'k', 73, 9, '{', 'B', 'H', 'X', '-', '0', '0', '4', '2' };

  ck_assert_int_eq (profile->qr_mode, TILL_QR_NATIVE);
  bytes = till_shelf_label_encode (fx.labels, 3, profile);
  memcpy (ean_command + 4, fx.water_ean, 13);
  ck_assert (contains_bytes (bytes, ean_command, sizeof ean_command));
  ck_assert (contains_bytes (bytes, pork_command, sizeof pork_command));
  ck_assert (contains_bytes (bytes, code_command, sizeof code_command));
  /* ￥ is A3 A4 in GB2312/GBK/GB18030: prices in the printer's encoding. */
  ck_assert (contains_bytes (bytes,
                             "\xa3\xa4"
                             "2.00",
                             6));
  ck_assert (contains_text (bytes, "￥25.80/kg", profile->charset));
  ck_assert (contains_text (bytes, "Member price ￥23.80", profile->charset));
  ck_assert (contains_text (bytes, "精品猪五花肉", profile->charset));

  sim = print_on_sim (bytes, 576);
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), 3);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 3);
  ck_assert_uint_eq (till_printer_sim_get_n_raster_images (sim), 0);
  ck_assert (receipt_has_line (sim, 0, "农夫山泉饮用天然水550ml"));
  ck_assert (receipt_has_line (sim, 0, "￥2.00"));
  ck_assert (receipt_has_line (sim, 0, fx.water_ean));
  ck_assert (!receipt_has_line (sim, 0, "Member price"));
  ck_assert (receipt_has_line (sim, 1, "￥25.80/kg"));
  ck_assert (receipt_has_line (sim, 1, "Member price ￥23.80"));
  ck_assert (receipt_has_line (sim, 1, "SKU 200001"));
  ck_assert (receipt_has_line (sim, 1, DAY));
  ck_assert (receipt_has_line (sim, 2, "Member price ￥11.00"));
  ck_assert (receipt_has_line (sim, 2, "Unit: 包"));
  for (guint i = 0; i < 3; i++)
    {
      static const char *const expected[] = { NULL, "200001", "HX-0042" };
      g_autofree char         *name = g_strdup_printf ("label-80-%u.png", i + 1);
      g_autofree char         *path = till_test_output_path ("receipts", name);
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) codes = NULL;

      ck_assert_msg (till_printer_sim_render_png (sim, i, path, &error), "%s",
                     error ? error->message : "");
      /* The printer drew the bars of GS k: a scanner reads them off the label. */
      codes = decode_png (path);
      ck_assert_msg (found_code (codes, i == 0 ? fx.water_ean : expected[i]), "label %u: %u codes",
                     i + 1, codes->len);
    }
}
END_TEST

/* /hw/shelf-label/escpos-58-raster: a 58 mm clone without GS k gets the bars
 * as an image that zbar reads back from the printout. */
START_TEST (test_escpos_58_raster)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new_preset ("generic-58", &error);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  static const char *const expected[] = { NULL, "200001", "HX-0042" };

  ck_assert_msg (profile != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (profile->qr_mode, TILL_QR_RASTER);
  profile->has_cutter = TRUE; /* one receipt per label in the simulator */
  bytes = till_shelf_label_encode (fx.labels, 3, profile);
  ck_assert (!contains_bytes (bytes, "\x1dk", 2));
  ck_assert (contains_text (bytes, "￥25.80/kg", profile->charset));

  sim = print_on_sim (bytes, 384);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 3);
  ck_assert_uint_eq (till_printer_sim_get_n_raster_images (sim), 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("label-58-%u.png", i + 1);
      g_autofree char *path = till_test_output_path ("receipts", name);
      g_autoptr (GPtrArray) codes = NULL;

      ck_assert_msg (till_printer_sim_render_png (sim, i, path, &error), "%s",
                     error ? error->message : "");
      codes = decode_png (path);
      ck_assert_msg (found_code (codes, i == 0 ? fx.water_ean : expected[i]), "label %u: %u codes",
                     i, codes->len);
    }
}
END_TEST

/* /hw/shelf-label/no-cutter: without a cutter the labels are fed apart. */
START_TEST (test_no_cutter)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;

  profile->has_cutter = FALSE;
  bytes = till_shelf_label_encode (fx.labels, 2, profile);
  ck_assert (!contains_bytes (bytes, "\x1dV", 2));
  sim = print_on_sim (bytes, 384);
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), 0);
}
END_TEST

static char *
run_tool (const char *const *argv)
{
  char *out = NULL;
  int   status;

  ck_assert (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                           &status, NULL));
  ck_assert_int_eq (status, 0);
  return out;
}

/* /hw/shelf-label/pdf: one page per label at the stock's size; poppler
 * renders it, and zbar reads every barcode from the pages. */
START_TEST (test_pdf)
{
  static const double sizes[][2] = { { 60, 40 }, { 50, 30 }, { 30, 20 } };
  g_autofree char    *dir = till_test_make_tmpdir ();
  g_autofree char    *pdfinfo = g_find_program_in_path ("pdfinfo");
  g_autofree char    *pdftoppm = g_find_program_in_path ("pdftoppm");

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("labels-%.0fx%.0f", sizes[s][0], sizes[s][1]);
      g_autofree char *file = g_strconcat (name, ".pdf", NULL);
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *contents = NULL;
      gsize            length;

      ck_assert_msg (
          till_shelf_label_write_pdf (fx.labels, 3, sizes[s][0], sizes[s][1], path, &error), "%s",
          error ? error->message : "");
      ck_assert (g_file_get_contents (path, &contents, &length, NULL));
      ck_assert (memcmp (contents, "%PDF", 4) == 0);

      if (pdfinfo != NULL)
        {
          const char      *argv[] = { "pdfinfo", path, NULL };
          g_autofree char *out = run_tool (argv);
          g_autofree char *size_line =
              g_strdup_printf ("^Page size: +%d\\.[0-9]+ x %d\\.[0-9]+ pts",
                               (int) (sizes[s][0] * 72 / 25.4), (int) (sizes[s][1] * 72 / 25.4));

          ck_assert_msg (g_regex_match_simple ("^Pages: +3$", out, G_REGEX_MULTILINE, 0), "%s",
                         out);
          ck_assert_msg (g_regex_match_simple (size_line, out, G_REGEX_MULTILINE, 0), "%s", out);
        }
      if (pdftoppm != NULL)
        {
          g_autofree char *prefix = till_test_output_path ("receipts", name);
          const char      *argv[] = { "pdftoppm", "-png", "-r", "300", path, prefix, NULL };
          g_autofree char *out = run_tool (argv);
          const char      *expected[] = { fx.water_ean, "200001", "HX-0042" };

          for (guint page = 0; page < 3; page++)
            {
              g_autofree char *png = g_strdup_printf ("%s-%u.png", prefix, page + 1);
              g_autoptr (GPtrArray) codes = decode_png (png);

              ck_assert_msg (found_code (codes, expected[page]), "%s page %u: %u codes (%s)", name,
                             page + 1, codes->len,
                             codes->len > 0 ? (char *) g_ptr_array_index (codes, 0) : "");
            }
        }
    }
  till_test_remove_tree (dir);
}
END_TEST

/* /hw/shelf-label/pdf-errors: stock smaller than 30 × 20 mm, no labels, or a
 * path that cannot be written are errors. */
START_TEST (test_pdf_errors)
{
  g_autoptr (GError) error = NULL;

  ck_assert (!till_shelf_label_write_pdf (fx.labels, 1, 25, 40, "/tmp/never.pdf", &error));
  ck_assert (g_error_matches (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_SIZE));
  g_clear_error (&error);
  ck_assert (!till_shelf_label_write_pdf (fx.labels, 1, 60, 15, "/tmp/never.pdf", &error));
  ck_assert (g_error_matches (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_SIZE));
  g_clear_error (&error);
  ck_assert (!till_shelf_label_write_pdf (fx.labels, 0, 60, 40, "/tmp/never.pdf", &error));
  ck_assert (g_error_matches (error, TILL_SHELF_LABEL_ERROR, TILL_SHELF_LABEL_ERROR_FAILED));
  g_clear_error (&error);
  ck_assert (!till_shelf_label_write_pdf (fx.labels, 1, 60, 40, "/nonexistent-dir/l.pdf", &error));
  ck_assert (error != NULL);
  ck_assert (!g_file_test ("/tmp/never.pdf", G_FILE_TEST_EXISTS));
}
END_TEST

/* /hw/shelf-label/from-product: the label takes the product's fields; a member
 * price equal to the price is none. */
START_TEST (test_from_product)
{
  TillProductSpec spec = { 0 };
  g_autoptr (TillProduct) pork = NULL;
  g_autoptr (TillProduct) water = NULL;
  TillShelfLabel label;

  spec.sku = "200001";
  spec.name = "精品猪五花肉";
  spec.unit = "kg";
  spec.price = 2580;
  spec.member_price = 2380;
  spec.weighed = TRUE;
  spec.active = TRUE;
  pork = till_product_new (7, &spec, "jpzwhr");
  till_shelf_label_init_from_product (&label, pork, "2000017000004", DAY);
  ck_assert_str_eq (label.name, "精品猪五花肉");
  ck_assert_str_eq (label.sku, "200001");
  ck_assert_str_eq (label.barcode, "2000017000004");
  ck_assert_str_eq (label.unit, "kg");
  ck_assert_int_eq (label.price, 2580);
  ck_assert_int_eq (label.member_price, 2380);
  ck_assert (label.weighed);
  ck_assert_str_eq (label.printed_day, DAY);

  spec.sku = "100001";
  spec.name = "农夫山泉";
  spec.unit = "瓶";
  spec.price = 200;
  spec.member_price = 200;
  spec.weighed = FALSE;
  water = till_product_new (8, &spec, "nfsq");
  till_shelf_label_init_from_product (&label, water, NULL, NULL);
  ck_assert_int_eq (label.member_price, 0);
  ck_assert (!label.weighed);
  ck_assert (label.barcode == NULL);
  ck_assert (label.printed_day == NULL);
}
END_TEST

static Suite *
shelf_label_suite (void)
{
  Suite *suite = suite_create ("/hw/shelf-label");
  TCase *escpos = tcase_create ("/hw/shelf-label/escpos");
  TCase *pdf = tcase_create ("/hw/shelf-label/pdf");

  tcase_add_checked_fixture (escpos, fixture_setup, fixture_teardown);
  tcase_add_test (escpos, test_escpos_80);
  tcase_add_test (escpos, test_escpos_58_raster);
  tcase_add_test (escpos, test_no_cutter);
  tcase_add_test (escpos, test_from_product);
  suite_add_tcase (suite, escpos);

  tcase_add_checked_fixture (pdf, fixture_setup, fixture_teardown);
  tcase_add_test (pdf, test_pdf);
  tcase_add_test (pdf, test_pdf_errors);
  suite_add_tcase (suite, pdf);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (shelf_label_suite ());
}
