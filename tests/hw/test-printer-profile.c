/* test-printer-profile.c: tests for hw/printer/till-printer-profile.c: URIs,
 * presets, the logo raster, and a real receipt per preset on the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <string.h>

#include "till-escpos.h"
#include "till-printer-profile.h"
#include "till-printer-sim.h"
#include "till-receipt.h"
#include "till-test-util.h"

static char *scratch;

#define ck_assert_error_matches(error, domain, code)                    \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "got %s", \
                 (error) != NULL ? (error)->message : "no error")

static void
scratch_setup (void)
{
  scratch = till_test_make_tmpdir ();
}

static void
scratch_teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

static TillPrinterProfile *
profile_from_uri (const char *uri)
{
  g_autoptr (GError) error = NULL;
  TillPrinterProfile *profile = till_printer_profile_new_from_uri (uri, &error);

  ck_assert_msg (profile != NULL, "%s: %s", uri, error ? error->message : "");
  return profile;
}

static gboolean
contains (GBytes *bytes, const void *needle, gsize needle_len)
{
  gsize         len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i + needle_len <= len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* /hw/printer-profile/uri */

START_TEST (test_uri_defaults)
{
  const char *uris[] = { "tcp://10.0.0.5:9100", "usb://04b8:0e15", "cups://Receipt", "file:///x",
                         "sim://printer?dir=/tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr (TillPrinterProfile) profile = profile_from_uri (uris[i]);

      /* No options: the generic 80 mm Chinese printer. */
      ck_assert_int_eq (profile->paper, TILL_PAPER_80MM);
      ck_assert_uint_eq (profile->columns, 48);
      ck_assert_uint_eq (profile->dots, 576);
      ck_assert_int_eq (profile->charset, TILL_CHARSET_GBK);
      ck_assert (profile->kanji_mode);
      ck_assert_int_eq (profile->style, TILL_STYLE_FS);
      ck_assert_int_eq (profile->qr_mode, TILL_QR_NATIVE);
      ck_assert_uint_eq (profile->qr_module_size, 6);
      ck_assert (profile->has_cutter);
      ck_assert_ptr_null (till_printer_profile_get_logo (profile, NULL, NULL));
    }
}
END_TEST

START_TEST (test_uri_options)
{
  g_autoptr (TillPrinterProfile) profile =
      profile_from_uri ("usb://0416:5011?serial=AB12&width=58&encoding=big5&kanji=off&style=gs&"
                        "qr=column&cutter=no#ignored");

  ck_assert_int_eq (profile->paper, TILL_PAPER_58MM);
  ck_assert_uint_eq (profile->columns, 32);
  ck_assert_uint_eq (profile->dots, 384);
  ck_assert_uint_eq (profile->qr_module_size, 5);
  ck_assert_int_eq (profile->charset, TILL_CHARSET_BIG5);
  ck_assert (!profile->kanji_mode);
  ck_assert_int_eq (profile->style, TILL_STYLE_GS);
  ck_assert_int_eq (profile->qr_mode, TILL_QR_COLUMN);
  ck_assert (!profile->has_cutter);
}
END_TEST

START_TEST (test_uri_each_value)
{
  const struct
  {
    const char   *query;
    TillCharset   charset;
    TillQrMode    qr;
    TillTextStyle style;
  } cases[] = {
    { "encoding=gb18030&qr=native&style=fs", TILL_CHARSET_GB18030, TILL_QR_NATIVE, TILL_STYLE_FS },
    { "encoding=gbk&qr=raster&style=esc", TILL_CHARSET_GBK, TILL_QR_RASTER, TILL_STYLE_ESC },
    { "encoding=GB2312&qr=column&style=gs", TILL_CHARSET_GB2312, TILL_QR_COLUMN, TILL_STYLE_GS },
    { "encoding=big5&qr=raster&style=fs", TILL_CHARSET_BIG5, TILL_QR_RASTER, TILL_STYLE_FS },
    { "encoding=utf-8&qr=native&style=esc", TILL_CHARSET_UTF8, TILL_QR_NATIVE, TILL_STYLE_ESC },
    { "encoding=utf8&qr=native&style=esc", TILL_CHARSET_UTF8, TILL_QR_NATIVE, TILL_STYLE_ESC },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = g_strdup_printf ("tcp://10.0.0.5:9100?%s", cases[i].query);
      g_autoptr (TillPrinterProfile) profile = profile_from_uri (uri);

      ck_assert_int_eq (profile->charset, cases[i].charset);
      ck_assert_int_eq (profile->qr_mode, cases[i].qr);
      ck_assert_int_eq (profile->style, cases[i].style);
      /* The names round-trip (utf8 is an alias of utf-8). */
      ck_assert (strstr (cases[i].query, till_qr_mode_to_string (profile->qr_mode)) != NULL);
      ck_assert (strstr (cases[i].query, till_text_style_to_string (profile->style)) != NULL);
    }
  ck_assert_str_eq (till_charset_to_string (TILL_CHARSET_UTF8), "utf-8");
  ck_assert_str_eq (till_charset_to_string (TILL_CHARSET_GB18030), "gb18030");
}
END_TEST

START_TEST (test_uri_preset_then_options)
{
  /* The options override the preset wherever they stand in the query. */
  g_autoptr (TillPrinterProfile) profile =
      profile_from_uri ("serial:///dev/ttyUSB0?cutter=yes&baud=9600&profile=pos-5890");
  g_autoptr (TillPrinterProfile) wider =
      profile_from_uri ("tcp://10.0.0.5:9100?width=80&profile=tm-t88-chinese&width=58");

  ck_assert_int_eq (profile->paper, TILL_PAPER_58MM);
  ck_assert_int_eq (profile->qr_mode, TILL_QR_RASTER);
  ck_assert (profile->has_cutter);
  /* The last of two equal keys counts; width keeps the rest of the preset. */
  ck_assert_int_eq (wider->paper, TILL_PAPER_58MM);
  ck_assert_uint_eq (wider->columns, 32);
  ck_assert_int_eq (wider->charset, TILL_CHARSET_GB18030);
}
END_TEST

START_TEST (test_uri_invalid)
{
  const char *uris[] = {
    "usb://0416:5011?width=76",           "usb://0416:5011?encoding=shift-jis",
    "usb://0416:5011?kanji=maybe",        "usb://0416:5011?qr=pdf417",
    "usb://0416:5011?cutter=1",           "usb://0416:5011?style=bold",
    "usb://0416:5011?profile=tm-u220",    "usb://0416:5011?width=%zz",
    "usb://0416:5011?width=58&encoding=",
  };

  for (guint i = 0; i < G_N_ELEMENTS (uris); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new_from_uri (uris[i], &error);

      ck_assert_msg (profile == NULL, "%s was accepted", uris[i]);
      ck_assert_error_matches (error, TILL_PRINTER_PROFILE_ERROR,
                               TILL_PRINTER_PROFILE_ERROR_INVALID);
      /* The message names the printer, for the screen and the log. */
      ck_assert_msg (strstr (error->message, "usb://0416:5011") != NULL, "%s", error->message);
    }
}
END_TEST

/* /hw/printer-profile/presets */

START_TEST (test_presets)
{
  const char *const *names = till_printer_profile_list_presets ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterProfile) zj = NULL;
  g_autoptr (TillPrinterProfile) epson = NULL;
  g_autoptr (TillPrinterProfile) generic = NULL;
  g_autoptr (TillPrinterProfile) missing = NULL;
  guint n = 0;

  for (; names[n] != NULL; n++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new_preset (names[n], &error);
      g_autofree char *uri = g_strdup_printf ("file:///dev/null?profile=%s", names[n]);
      g_autoptr (TillPrinterProfile) from_uri = profile_from_uri (uri);

      ck_assert_msg (profile != NULL, "%s", error ? error->message : "");
      /* The URI and the name give the same profile. */
      ck_assert_int_eq (memcmp (profile, from_uri, sizeof *profile), 0);
      ck_assert_uint_eq (profile->dots, profile->columns * 12);
    }
  ck_assert_uint_ge (n, 5);

  /* DEVICES.md §1.4: Zjiang 58 mm clones have no GS ( k and no cutter. */
  zj = till_printer_profile_new_preset ("ZJ-5870", &error);
  ck_assert_ptr_nonnull (zj);
  ck_assert_int_eq (zj->paper, TILL_PAPER_58MM);
  ck_assert_int_eq (zj->qr_mode, TILL_QR_RASTER);
  ck_assert (!zj->has_cutter);
  ck_assert_int_eq (zj->charset, TILL_CHARSET_GBK);
  /* Epson's Chinese models: full GB18030 font, every command. */
  epson = till_printer_profile_new_preset ("tm-t88-chinese", &error);
  ck_assert_int_eq (epson->charset, TILL_CHARSET_GB18030);
  ck_assert_int_eq (epson->qr_mode, TILL_QR_NATIVE);
  ck_assert (epson->has_cutter);
  ck_assert_int_eq (epson->paper, TILL_PAPER_80MM);
  generic = till_printer_profile_new_preset ("generic-80", &error);
  ck_assert_int_eq (generic->charset, TILL_CHARSET_GBK);
  ck_assert (generic->has_cutter);

  missing = till_printer_profile_new_preset ("tm-u220", &error);
  ck_assert_ptr_null (missing);
  ck_assert_error_matches (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_INVALID);
}
END_TEST

/* /hw/printer-profile/logo */

/* A @width × @height PNG: the left half opaque black; the right half clear
 * (transparent) on top and 50 % grey below. */
static char *
make_logo_png (const char *name, int width, int height)
{
  g_autofree char *path = g_build_filename (scratch, name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t         *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_rectangle (cr, 0, 0, width / 2, height);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0.5, 0.5, 0.5);
  cairo_rectangle (cr, width / 2, height / 2, width - width / 2, height - height / 2);
  cairo_fill (cr);
  cairo_destroy (cr);
  ck_assert_int_eq (cairo_surface_write_to_png (surface, path), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return g_steal_pointer (&path);
}

static gboolean
dot (const guint8 *bits, guint width_bytes, guint x, guint y)
{
  return (bits[(gsize) y * width_bytes + x / 8] & (0x80 >> (x % 8))) != 0;
}

START_TEST (test_logo_raster)
{
  g_autofree char *png = make_logo_png ("logo.png", 100, 40);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (GError) error = NULL;
  const guint8 *bits;
  guint         width_bytes, height, grey_dots = 0;

  ck_assert_msg (till_printer_profile_set_logo_png (profile, png, &error), "%s",
                 error ? error->message : "");
  bits = till_printer_profile_get_logo (profile, &width_bytes, &height);
  ck_assert_ptr_nonnull (bits);
  /* Narrower than the paper: kept at its size, 100 dots in 13 bytes. */
  ck_assert_uint_eq (width_bytes, 13);
  ck_assert_uint_eq (height, 40);
  for (guint y = 0; y < height; y++)
    {
      for (guint x = 0; x < 50; x++)
        ck_assert_msg (dot (bits, width_bytes, x, y), "black at %u,%u not printed", x, y);
      for (guint x = 50; x < 100; x++)
        {
          if (y < 20)
            ck_assert_msg (!dot (bits, width_bytes, x, y), "clear at %u,%u printed", x, y);
          else
            grey_dots += dot (bits, width_bytes, x, y);
        }
      for (guint x = 100; x < 104; x++)
        ck_assert (!dot (bits, width_bytes, x, y));
    }
  /* 50 % grey dithers to about half the dots (cairo's 0.5 is 127 or 128). */
  ck_assert_uint_ge (grey_dots, 50 * 20 * 40 / 100);
  ck_assert_uint_le (grey_dots, 50 * 20 * 60 / 100);
}
END_TEST

START_TEST (test_logo_scaled_to_paper)
{
  g_autofree char *png = make_logo_png ("wide.png", 768, 100);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (GError) error = NULL;
  const guint8 *bits;
  guint         width_bytes, height;

  ck_assert (till_printer_profile_set_logo_png (profile, png, &error));
  bits = till_printer_profile_get_logo (profile, &width_bytes, &height);
  /* 768 dots onto 384: half size. */
  ck_assert_uint_eq (width_bytes, 48);
  ck_assert_uint_eq (height, 50);
  ck_assert (dot (bits, width_bytes, 10, 10));
  ck_assert (dot (bits, width_bytes, 180, 45));
  ck_assert (!dot (bits, width_bytes, 300, 10));
}
END_TEST

START_TEST (test_logo_errors)
{
  g_autofree char *missing = g_build_filename (scratch, "missing.png", NULL);
  g_autofree char *text = g_build_filename (scratch, "not-a.png", NULL);
  g_autofree char *uri = g_strdup_printf ("tcp://10.0.0.5:9100?logo=%s", missing);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (TillPrinterProfile) from_uri = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) not_png = NULL;
  g_autoptr (GError) uri_error = NULL;

  ck_assert (!till_printer_profile_set_logo_png (profile, missing, &error));
  ck_assert_error_matches (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO);
  ck_assert (strstr (error->message, "missing.png") != NULL);

  ck_assert (g_file_set_contents (text, "hello", -1, NULL));
  ck_assert (!till_printer_profile_set_logo_png (profile, text, &not_png));
  ck_assert_error_matches (not_png, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO);
  ck_assert_ptr_null (till_printer_profile_get_logo (profile, NULL, NULL));

  from_uri = till_printer_profile_new_from_uri (uri, &uri_error);
  ck_assert_ptr_null (from_uri);
  ck_assert_error_matches (uri_error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO);
  ck_assert (strstr (uri_error->message, "tcp://10.0.0.5:9100") != NULL);
}
END_TEST

START_TEST (test_logo_uri_and_copies)
{
  g_autofree char    *png = make_logo_png ("shop logo.png", 64, 24);
  g_autofree char    *escaped = g_uri_escape_string (png, "/", FALSE);
  g_autofree char    *uri = g_strdup_printf ("usb://0416:5011?profile=pos-5890&logo=%s", escaped);
  TillPrinterProfile *profile = profile_from_uri (uri);
  TillPrinterProfile *copy = NULL;
  const guint8       *bits;
  guint               width_bytes, height;

  bits = till_printer_profile_get_logo (profile, &width_bytes, &height);
  ck_assert_ptr_nonnull (bits);
  ck_assert_uint_eq (width_bytes, 8);
  ck_assert_uint_eq (height, 24);
  /* A copy shares the raster (made once) and outlives the original. */
  copy = till_printer_profile_copy (profile);
  ck_assert_ptr_eq (till_printer_profile_get_logo (copy, NULL, NULL), bits);
  till_printer_profile_free (profile);
  ck_assert (dot (till_printer_profile_get_logo (copy, NULL, NULL), 8, 0, 0));
  till_printer_profile_free (copy);
}
END_TEST

START_TEST (test_logo_in_escpos)
{
  g_autofree char *png = make_logo_png ("logo.png", 40, 30);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (TillEscpos) plain = till_escpos_new (profile);
  g_autoptr (TillEscpos) raster = NULL;
  g_autoptr (TillEscpos) column = NULL;
  g_autoptr (GBytes) none = NULL;
  g_autoptr (GBytes) gs_v = NULL;
  g_autoptr (GBytes) esc_star = NULL;
  g_autoptr (GError) error = NULL;
  const guint8 *bits;
  const guint8 *data;
  gsize         len;

  /* No logo: nothing. */
  till_escpos_logo (plain);
  none = till_escpos_finish (plain);
  ck_assert_uint_eq (g_bytes_get_size (none), 0);

  ck_assert (till_printer_profile_set_logo_png (profile, png, &error));
  bits = till_printer_profile_get_logo (profile, NULL, NULL);
  raster = till_escpos_new (profile);
  till_escpos_logo (raster);
  gs_v = till_escpos_finish (raster);
  data = g_bytes_get_data (gs_v, &len);
  /* GS v 0, 5 bytes × 30 rows, then the raster as made. */
  ck_assert_uint_eq (len, 8 + 5 * 30);
  ck_assert_int_eq (memcmp (data, "\x1d\x76\x30\x00\x05\x00\x1e\x00", 8), 0);
  ck_assert_int_eq (memcmp (data + 8, bits, 5 * 30), 0);

  /* A printer with column images only gets ESC * bands: 2 of 24 rows. */
  profile->qr_mode = TILL_QR_COLUMN;
  column = till_escpos_new (profile);
  till_escpos_logo (column);
  esc_star = till_escpos_finish (column);
  ck_assert_uint_eq (g_bytes_get_size (esc_star), 3 + 2 * (5 + 40 * 3 + 1) + 2);
  ck_assert (contains (esc_star, "\x1b\x2a\x21\x28\x00", 5));
}
END_TEST

/* /hw/printer-profile/receipt: each preset prints a real sale on the simulator */

typedef struct
{
  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillUser    *cashier;
} Shop;

static gint64
add_product (Shop *shop, const char *sku, const char *name, gint64 price)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = { 0 };
  gint64          id;

  spec.sku = sku;
  spec.name = name;
  spec.unit = "个";
  spec.price = price;
  spec.cost = price / 2;
  spec.vat_rate = 1300;
  spec.active = TRUE;
  id = till_catalog_add_product (shop->catalog, &spec, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

static void
shop_open (Shop *shop)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = g_build_filename (scratch, "till.db", NULL);
  g_autofree char *key = g_build_filename (scratch, "till.key", NULL);

  shop->store = till_store_open (db, &error);
  ck_assert_msg (shop->store != NULL, "%s", error ? error->message : "");
  shop->catalog = till_catalog_new (shop->store);
  shop->journal = till_journal_new (shop->store, key, &error);
  ck_assert_msg (shop->journal != NULL, "%s", error ? error->message : "");
  ck_assert (till_user_create (shop->store, "1001", "王小明", TILL_ROLE_CASHIER, "1234", &error) >
             0);
  shop->cashier = till_user_authenticate (shop->store, "1001", "1234", &error);
  ck_assert_ptr_nonnull (shop->cashier);
  ck_assert (till_store_set_setting (shop->store, "store.name", "好邻居便利店", &error));
  ck_assert (
      till_store_set_setting (shop->store, "store.address", "北京市海淀区中关村大街27号", &error));
  ck_assert (till_store_set_setting (shop->store, "till.id", "T01", &error));
  ck_assert (
      till_store_set_setting (shop->store, "receipt.footer", "谢谢惠顾，欢迎再次光临！", &error));
}

static void
shop_close (Shop *shop)
{
  g_clear_object (&shop->cashier);
  g_clear_object (&shop->journal);
  g_clear_object (&shop->catalog);
  g_clear_object (&shop->store);
}

static TillSale *
sell (Shop *shop)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop->store, shop->catalog);
  const char *names[] = { "农夫山泉饮用天然水550ml", "蒙牛纯牛奶250ml×12盒", "康师傅红烧牛肉面" };
  TillSale   *sale;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *sku = g_strdup_printf ("10000%u", i);
      gint64           id = add_product (shop, sku, names[i], 200 + 150 * i);
      g_autoptr (TillProduct) product = till_catalog_lookup_id (shop->catalog, id, &error);

      ck_assert_ptr_nonnull (product);
      ck_assert (till_cart_add_product (cart, product, (i + 1) * TILL_QUANTITY_ONE, &error));
    }
  sale = till_sale_commit_cash (cart, shop->journal, shop->cashier, 5000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static gboolean
sim_has_text (TillPrinterSim *sim, const char *text)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = 0; i < lines->len; i++)
    if (strstr (g_ptr_array_index (lines, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* The GB presets print on the simulator, which reads GB18030; the receipt must
 * come out readable, fit the paper, and carry its QR code. */
START_TEST (test_receipt_per_preset)
{
  g_autofree char   *png = make_logo_png ("logo.png", 160, 48);
  g_autofree char   *escaped = g_uri_escape_string (png, "/", FALSE);
  const char *const *presets = till_printer_profile_list_presets ();
  /* The presets, then profiles made of options only. */
  const char *const custom[][2] = {
    { "column-gb2312", "width=58&encoding=gb2312&qr=column&style=gs&kanji=off&cutter=no" },
    { "esc-raster", "width=80&encoding=gbk&style=esc&qr=raster" },
    { "gs-gb18030", "width=80&encoding=gb18030&style=gs" },
  };
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) queries = g_ptr_array_new_with_free_func (g_free);
  Shop shop = { 0 };
  g_autoptr (TillSale) sale = NULL;
  guint n_rendered = 0;

  for (guint i = 0; presets[i] != NULL; i++)
    {
      g_ptr_array_add (names, g_strdup (presets[i]));
      g_ptr_array_add (queries, g_strdup_printf ("profile=%s", presets[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (custom); i++)
    {
      g_ptr_array_add (names, g_strdup (custom[i][0]));
      g_ptr_array_add (queries, g_strdup (custom[i][1]));
    }

  shop_open (&shop);
  sale = sell (&shop);
  for (guint i = 0; i < names->len; i++)
    {
      /* Every other profile gets the logo, so both kinds are seen. */
      g_autofree char *uri =
          g_strdup_printf ("sim://printer?%s%s%s", (const char *) queries->pdata[i],
                           i % 2 ? "&logo=" : "", i % 2 ? escaped : "");
      g_autoptr (TillPrinterProfile) profile = profile_from_uri (uri);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = NULL;
      g_autofree char *qr = till_receipt_qr_payload (sale);
      g_autofree char *png_name = NULL;
      g_autofree char *png_path = NULL;
      g_autoptr (GError) error = NULL;
      const GPtrArray *lines;

      if (profile->charset == TILL_CHARSET_BIG5 || profile->charset == TILL_CHARSET_UTF8)
        continue; /* the simulator reads GB18030 only: see test_receipt_big5_utf8 */

      sim = till_printer_sim_new (profile->dots);
      till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      /* Without a cutter the cashier tears the paper off: that ends the receipt. */
      ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), profile->has_cutter ? 1 : 0);
      if (!profile->has_cutter)
        till_printer_sim_feed (sim, (const guint8 *) "\x1d\x56\x00", 3);
      till_printer_sim_end_of_stream (sim);

      ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
      ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
      ck_assert_uint_eq (till_printer_sim_get_n_unsupported_chars (sim), 0);
      ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
      ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
      ck_assert_msg (sim_has_text (sim, "好邻居便利店"), "%s: no store name", uri);
      ck_assert (sim_has_text (sim, "农夫山泉饮用天然水550ml"));
      ck_assert (sim_has_text (sim, "康师傅红烧牛肉面"));
      ck_assert (sim_has_text (sim, "谢谢惠顾"));
      lines = till_printer_sim_get_lines (sim);
      for (guint l = 0; l < lines->len; l++)
        ck_assert_uint_le (till_escpos_text_width (g_ptr_array_index (lines, l)), profile->columns);
      if (profile->qr_mode == TILL_QR_NATIVE)
        {
          ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 1);
          ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (sim), 0), qr);
        }
      else
        {
          /* Drawn by us; its dots are checked against libqrencode in test-escpos. */
          ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 0);
          ck_assert_uint_ge (till_printer_sim_get_n_raster_images (sim), 1);
        }
      /* GS v 0 is one image per band of 256 rows; ESC * one per 24-row band. */
      if (profile->qr_mode == TILL_QR_COLUMN)
        ck_assert_uint_ge (till_printer_sim_get_n_raster_images (sim), 2 + (i % 2 ? 2 : 0));
      else
        ck_assert_uint_eq (till_printer_sim_get_n_raster_images (sim),
                           (profile->qr_mode != TILL_QR_NATIVE ? 1 : 0) + (i % 2 ? 1 : 0));
      png_name = g_strdup_printf ("profile-%s.png", (const char *) names->pdata[i]);
      png_path = till_test_output_path ("receipts", png_name);
      ck_assert_msg (till_printer_sim_render_png (sim, 0, png_path, &error), "%s",
                     error ? error->message : "");
      n_rendered++;
    }
  ck_assert_uint_ge (n_rendered, 8);
  shop_close (&shop);
}
END_TEST

/* Big5 and UTF-8 presets: the bytes carry the text in that encoding and no
 * GB bytes. (The simulator only decodes GB18030, so it cannot render them.) */
START_TEST (test_receipt_big5_utf8)
{
  Shop shop = { 0 };
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterProfile) big5 = till_printer_profile_new_preset ("generic-80-big5", &error);
  g_autoptr (TillPrinterProfile) utf8 = till_printer_profile_new_preset ("generic-80-utf8", &error);
  g_autoptr (GBytes) big5_bytes = NULL;
  g_autoptr (GBytes) utf8_bytes = NULL;
  g_autofree char *big5_name = NULL;
  gsize            big5_len;
  const char      *gb_name = "\xba\xc3\xc1\xda\xbe\xd3"; /* 好邻居 in GBK */

  shop_open (&shop);
  /* A Traditional-Chinese shop name for the Big5 printer. */
  ck_assert (till_store_set_setting (shop.store, "store.name", "好鄰居便利店", &error));
  sale = sell (&shop);
  big5_bytes = till_receipt_encode (sale, shop.store, big5);
  utf8_bytes = till_receipt_encode (sale, shop.store, utf8);
  big5_name = g_convert ("好鄰居便利店", -1, "BIG5", "UTF-8", NULL, &big5_len, &error);
  ck_assert_ptr_nonnull (big5_name);

  ck_assert (contains (big5_bytes, big5_name, big5_len));
  ck_assert (contains (big5_bytes, "\x1b\x40\x1c\x26", 4));
  ck_assert (!contains (big5_bytes, gb_name, strlen (gb_name)));
  /* 谢谢 is Simplified: not in Big5, so two □ (A1 BC), never raw GB bytes. */
  ck_assert (contains (big5_bytes, "\xa1\xbc\xa1\xbc\xb4\x66", 6)); /* □□惠 */

  ck_assert (contains (utf8_bytes, "好鄰居便利店", strlen ("好鄰居便利店")));
  ck_assert (contains (utf8_bytes, "农夫山泉饮用天然水550ml", strlen ("农夫山泉饮用天然水550ml")));
  /* Kanji mode off and ESC ! styling: no FS & and no FS ! at all. */
  ck_assert (!contains (utf8_bytes, "\x1c\x26", 2));
  ck_assert (!contains (utf8_bytes, "\x1c\x21", 2));
  ck_assert (contains (utf8_bytes, "\x1b\x21\x38", 3)); /* bold double size store name */
  shop_close (&shop);
}
END_TEST

static Suite *
printer_profile_suite (void)
{
  Suite *suite = suite_create ("/hw/printer-profile");
  TCase *uri = tcase_create ("/hw/printer-profile/uri");
  TCase *presets = tcase_create ("/hw/printer-profile/presets");
  TCase *logo = tcase_create ("/hw/printer-profile/logo");
  TCase *receipt = tcase_create ("/hw/printer-profile/receipt");

  tcase_add_test (uri, test_uri_defaults);
  tcase_add_test (uri, test_uri_options);
  tcase_add_test (uri, test_uri_each_value);
  tcase_add_test (uri, test_uri_preset_then_options);
  tcase_add_test (uri, test_uri_invalid);
  suite_add_tcase (suite, uri);

  tcase_add_test (presets, test_presets);
  suite_add_tcase (suite, presets);

  tcase_add_checked_fixture (logo, scratch_setup, scratch_teardown);
  tcase_add_test (logo, test_logo_raster);
  tcase_add_test (logo, test_logo_scaled_to_paper);
  tcase_add_test (logo, test_logo_errors);
  tcase_add_test (logo, test_logo_uri_and_copies);
  tcase_add_test (logo, test_logo_in_escpos);
  suite_add_tcase (suite, logo);

  tcase_add_checked_fixture (receipt, scratch_setup, scratch_teardown);
  tcase_set_timeout (receipt, 120);
  tcase_add_test (receipt, test_receipt_per_preset);
  tcase_add_test (receipt, test_receipt_big5_utf8);
  suite_add_tcase (suite, receipt);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (printer_profile_suite ());
}
