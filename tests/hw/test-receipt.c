/* test-receipt.c: tests for src/receipt/till-receipt.c with real sales, printed
 * on the simulator
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "till-printer-sim.h"
#include "till-receipt.h"
#include "till-test-util.h"

#define LONG_NAME "康师傅经典红烧牛肉面五连包超值装（限时特惠家庭分享装）"
#define EMOJI_NAME "🍎红富士苹果"

typedef struct
{
  char        *dir;
  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillUser    *cashier;
  gint64       water, milk, pork, noodles, apple;
} Shop;

static Shop shop;

static gint64
add_product (const char *sku, const char *name, const char *unit, gint64 price, gboolean weighed)
{
  g_autoptr (GError) error = NULL;
  TillProductSpec spec = { 0 };
  gint64          id;

  spec.sku = sku;
  spec.name = name;
  spec.unit = unit;
  spec.price = price;
  spec.cost = price / 2;
  spec.vat_rate = 1300;
  spec.weighed = weighed;
  spec.active = TRUE;
  id = till_catalog_add_product (shop.catalog, &spec, &error);
  ck_assert_msg (id > 0, "%s", error ? error->message : "");
  return id;
}

static void
set_setting (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_store_set_setting (shop.store, key, value, &error), "%s",
                 error ? error->message : "");
}

static void
shop_setup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *db = NULL;
  g_autofree char *key = NULL;

  shop.dir = till_test_make_tmpdir ();
  db = g_build_filename (shop.dir, "till.db", NULL);
  key = g_build_filename (shop.dir, "till.key", NULL);
  shop.store = till_store_open (db, &error);
  ck_assert_msg (shop.store != NULL, "%s", error ? error->message : "");
  shop.catalog = till_catalog_new (shop.store);
  shop.journal = till_journal_new (shop.store, key, &error);
  ck_assert_msg (shop.journal != NULL, "%s", error ? error->message : "");
  ck_assert_msg (
      till_user_create (shop.store, "1001", "王小明", TILL_ROLE_CASHIER, "1234", &error) > 0, "%s",
      error ? error->message : "");
  shop.cashier = till_user_authenticate (shop.store, "1001", "1234", &error);
  ck_assert_msg (shop.cashier != NULL, "%s", error ? error->message : "");

  set_setting ("store.name", "好邻居便利店（中关村店）");
  set_setting ("store.address", "北京市海淀区中关村大街27号中关村大厦一层");
  set_setting ("store.phone", "010-6255 8899");
  set_setting ("till.id", "T01");
  set_setting ("receipt.footer", "谢谢惠顾，欢迎再次光临！凭小票七日内可退换");

  shop.water = add_product ("100001", "农夫山泉饮用天然水550ml", "瓶", 200, FALSE);
  shop.milk = add_product ("100002", "蒙牛纯牛奶250ml×12盒", "箱", 5990, FALSE);
  shop.pork = add_product ("200001", "精品猪五花肉", "kg", 2580, TRUE);
  shop.noodles = add_product ("100003", LONG_NAME, "包", 1290, FALSE);
  shop.apple = add_product ("200002", EMOJI_NAME, "kg", 998, TRUE);
}

static void
shop_teardown (void)
{
  g_clear_object (&shop.cashier);
  g_clear_object (&shop.journal);
  g_clear_object (&shop.catalog);
  g_clear_object (&shop.store);
  till_test_remove_tree (shop.dir);
  g_clear_pointer (&shop.dir, g_free);
}

static void
add_to_cart (TillCart *cart, gint64 product_id, gint64 quantity)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = till_catalog_lookup_id (shop.catalog, product_id, &error);

  ck_assert_msg (product != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_cart_add_product (cart, product, quantity, &error) != NULL, "%s",
                 error ? error->message : "");
}

/* Water ×3, milk ×1, 456 g of pork; 抹角: 77.66 → 77.00; paid 100.00. */
static TillSale *
commit_weighed_sale (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  TillSale *sale;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add_to_cart (cart, shop.water, 3 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.milk, 1 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.pork, 456);
  sale = till_sale_commit_cash (cart, shop.journal, shop.cashier, 10000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* The long name twice, 1.234 kg of emoji apples, no rounding, exact cash. */
static TillSale *
commit_long_name_sale (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  TillSale *sale;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add_to_cart (cart, shop.noodles, 2 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.apple, 1234);
  sale =
      till_sale_commit_cash (cart, shop.journal, shop.cashier, till_cart_get_total (cart), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

static TillPrinterSim *
print (GBytes *bytes, guint width)
{
  TillPrinterSim *sim = till_printer_sim_new (width);

  till_printer_sim_feed (sim, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  till_printer_sim_end_of_stream (sim);
  ck_assert_uint_eq (till_printer_sim_get_n_garbage_bytes (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_truncated (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_unsupported_chars (sim), 0);
  ck_assert_uint_eq (till_printer_sim_get_n_receipts (sim), 1);
  ck_assert_uint_eq (till_printer_sim_get_n_cuts (sim), 1);
  return sim;
}

static char *
joined_text (TillPrinterSim *sim)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);
  GString         *text = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    g_string_append (text, g_ptr_array_index (lines, i));
  return g_string_free (text, FALSE);
}

static const char *
find_line (TillPrinterSim *sim, const char *prefix)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      return g_ptr_array_index (lines, i);
  return NULL;
}

static void
save_png (TillPrinterSim *sim, const char *name)
{
  g_autofree char *path = till_test_output_path ("receipts", name);
  g_autoptr (GError) error = NULL;

  ck_assert_msg (till_printer_sim_render_png (sim, 0, path, &error), "%s",
                 error ? error->message : "");
}

static void
check_fits (TillPrinterSim *sim, guint columns)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  /* The printer's own measure (dots, double width included), and columns. */
  ck_assert_uint_eq (till_printer_sim_get_n_overflows (sim), 0);
  for (guint i = 0; i < lines->len; i++)
    ck_assert_msg (till_escpos_text_width (g_ptr_array_index (lines, i)) <= columns, "too wide: %s",
                   (const char *) g_ptr_array_index (lines, i));
}

/* Replaces every occurrence of @needle by @mask (same length) in @array. */
static guint
mask_bytes (GByteArray *array, const char *needle, const char *mask)
{
  gsize len = strlen (needle);
  guint n = 0;

  ck_assert_uint_eq (strlen (mask), len);
  for (gsize i = 0; len > 0 && i + len <= array->len; i++)
    if (memcmp (array->data + i, needle, len) == 0)
      {
        memcpy (array->data + i, mask, len);
        n++;
      }
  return n;
}

/* The receipt with what changes from run to run (time, journal hash) masked. */
static GBytes *
masked_receipt (TillSale *sale, GBytes *bytes)
{
  g_autoptr (GByteArray) array = g_byte_array_new ();
  g_autoptr (GDateTime) created = till_sale_get_created (sale);
  g_autofree char *time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  g_autofree char *payload = till_receipt_qr_payload (sale);
  g_auto (GStrv) fields = g_strsplit (payload, "|", -1);
  g_autofree char *masked_payload = NULL;

  g_byte_array_append (array, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  ck_assert_uint_eq (mask_bytes (array, time, "0000-00-00 00:00:00"), 1);
  masked_payload = g_strdup_printf ("%s|%s|%s|00000000000000|%s|0000000000000000", fields[0],
                                    fields[1], fields[2], fields[4]);
  ck_assert_uint_eq (mask_bytes (array, payload, masked_payload), 1);
  return g_byte_array_free_to_bytes (g_steal_pointer (&array));
}

static void
check_golden (GBytes *masked, const char *name)
{
  g_autofree char *relative = g_build_filename ("tests", "hw", "golden", name, NULL);
  g_autofree char *path = till_test_source_path (relative);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;
  gsize expected_len;

  if (g_strcmp0 (g_getenv ("OPENTILL_UPDATE_GOLDEN"), "1") == 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_mkdir_with_parents (dir, 0755);
      ck_assert_msg (g_file_set_contents (path, g_bytes_get_data (masked, NULL),
                                          (gssize) g_bytes_get_size (masked), &error),
                     "%s", error ? error->message : "");
    }
  ck_assert_msg (g_file_get_contents (path, &expected, &expected_len, &error),
                 "%s (run with OPENTILL_UPDATE_GOLDEN=1 to create it)",
                 error ? error->message : "");
  if (expected_len != g_bytes_get_size (masked) ||
      memcmp (expected, g_bytes_get_data (masked, NULL), expected_len) != 0)
    {
      g_autofree char *got = till_test_output_path ("receipts", name);

      g_file_set_contents (got, g_bytes_get_data (masked, NULL), (gssize) g_bytes_get_size (masked),
                           NULL);
      ck_abort_msg ("%s differs from the golden file (%zu vs %zu bytes); this run's bytes are in "
                    "%s: render both with opentill-printer-sim and compare",
                    name, g_bytes_get_size (masked), expected_len, got);
    }
}

/* /hw/receipt/golden */

START_TEST (test_golden)
{
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const char          *names[] = { "receipt-80.bin", "receipt-58.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (GBytes) masked = masked_receipt (sale, bytes);

      check_golden (masked, names[i]);
    }
}
END_TEST

/* /hw/receipt/content */

START_TEST (test_weighed_sale_content)
{
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-80.png", "receipt-58.png" };

  ck_assert_int_eq (till_sale_get_subtotal (sale), 7766);
  ck_assert_int_eq (till_sale_get_rounding (sale), -66);
  ck_assert_int_eq (till_sale_get_total (sale), 7700);
  ck_assert_int_eq (till_sale_get_change (sale), 2300);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *expected_qr = till_receipt_qr_payload (sale);
      g_autofree char *receipt_no = till_sale_format_receipt_no (sale);
      const GPtrArray *qr = till_printer_sim_get_qr_payloads (sim);

      for (guint l = 0; l < till_sale_get_n_lines (sale); l++)
        ck_assert_msg (strstr (text, till_sale_get_line (sale, l)->name) != NULL, "missing %s",
                       till_sale_get_line (sale, l)->name);
      ck_assert (strstr (text, "好邻居便利店") != NULL);
      ck_assert (strstr (text, receipt_no) != NULL);
      ck_assert (strstr (text, "王小明") != NULL);
      ck_assert_ptr_nonnull (find_line (sim, "  0.456kg × 25.80/kg"));
      ck_assert (g_str_has_suffix (find_line (sim, "  0.456kg × 25.80/kg"), "11.76"));
      ck_assert (g_str_has_suffix (find_line (sim, "  3 × 2.00"), "6.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "Rounding"), "-0.66"));
      ck_assert (g_str_has_suffix (find_line (sim, "Total"), "￥77.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "Cash "), "100.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "Change"), "23.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "Items"), "5"));
      ck_assert_uint_eq (qr->len, 1);
      ck_assert_str_eq (g_ptr_array_index (qr, 0), expected_qr);
      ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (sim), 0);
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

START_TEST (test_long_name_sale)
{
  g_autoptr (TillSale) sale = commit_long_name_sale ();
  g_autofree char     *apple = till_escpos_sanitize (EMOJI_NAME, TILL_CHARSET_GBK);
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-long-name-80.png", "receipt-long-name-58.png" };

  ck_assert_int_eq (till_sale_get_rounding (sale), 0);
  ck_assert_str_eq (apple, "□红富士苹果");
  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *total = till_money_format_yuan (till_sale_get_total (sale));

      /* The long name wraps whole, never split inside a character. */
      ck_assert (strstr (text, LONG_NAME) != NULL);
      ck_assert (strstr (text, apple) != NULL);
      ck_assert_ptr_null (find_line (sim, "Rounding"));
      ck_assert (g_str_has_suffix (find_line (sim, "Total"), total));
      ck_assert (g_str_has_suffix (find_line (sim, "Change"), "0.00"));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/qr */

START_TEST (test_qr_payload)
{
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  g_autofree char *payload = till_receipt_qr_payload (sale);
  g_autofree char *till_id = NULL;
  g_autofree char *time = NULL;
  g_autofree char *hash16 = NULL;
  g_autoptr (GDateTime) created = till_sale_get_created (sale);
  g_autofree char *expected_time = g_date_time_format (created, "%Y%m%d%H%M%S");
  gint64           receipt_no = 0, total = 0;

  ck_assert (till_receipt_qr_parse (payload, &till_id, &receipt_no, &time, &total, &hash16));
  ck_assert_str_eq (till_id, "T01");
  ck_assert_int_eq (receipt_no, till_sale_get_receipt_no (sale));
  ck_assert_str_eq (time, expected_time);
  ck_assert_int_eq (total, 7700);
  ck_assert_int_eq (strncmp (hash16, till_sale_get_journal_hash (sale), 16), 0);

  ck_assert (!till_receipt_qr_parse ("OT1|T01|1|2026|7700|0123456789abcdef", NULL, NULL, NULL, NULL,
                                     NULL));
  ck_assert (!till_receipt_qr_parse ("OT2|T01|1|20261122103015|7700|0123456789abcdef", NULL, NULL,
                                     NULL, NULL, NULL));
  ck_assert (!till_receipt_qr_parse ("OT1|T01|x|20261122103015|7700|0123456789abcdef", NULL, NULL,
                                     NULL, NULL, NULL));
  ck_assert (till_receipt_qr_parse ("OT1|T01|1|20261122103015|7700|0123456789abcdef", NULL, NULL,
                                    NULL, NULL, NULL));
}
END_TEST

START_TEST (test_drawer_kick)
{
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (GBytes) kick = till_receipt_encode_drawer_kick (profile);
  g_autoptr (TillPrinterSim) sim = till_printer_sim_new (576);

  ck_assert_uint_eq (g_bytes_get_size (kick), 5);
  ck_assert_int_eq (memcmp (g_bytes_get_data (kick, NULL), "\x1b\x70\x00\x19\xfa", 5), 0);
  till_printer_sim_feed (sim, g_bytes_get_data (kick, NULL), g_bytes_get_size (kick));
  ck_assert_uint_eq (till_printer_sim_get_n_drawer_kicks (sim), 1);
}
END_TEST

/* /hw/receipt/chinese: a Chinese store prints its receipt in Chinese: the
 * labels come from the zh_CN catalog built with the tree, and the wider
 * characters still fit the paper. */
START_TEST (test_chinese_receipt)
{
  g_autoptr (TillSale) sale = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-zh-80.png", "receipt-zh-58.png" };

  /* Check runs each test in its own process: this changes only this one. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  ck_assert_ptr_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, SOURCE_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  sale = commit_weighed_sale ();
  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *receipt_no = till_sale_format_receipt_no (sale);

      ck_assert_ptr_nonnull (find_line (sim, "小票号"));
      ck_assert (g_str_has_suffix (find_line (sim, "小票号"), receipt_no));
      ck_assert (g_str_has_suffix (find_line (sim, "抹零"), "-0.66"));
      ck_assert (g_str_has_suffix (find_line (sim, "应收"), "￥77.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "现金"), "100.00"));
      ck_assert (g_str_has_suffix (find_line (sim, "找零"), "23.00"));
      ck_assert_ptr_null (find_line (sim, "Total"));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/test-page: the page store IT prints to check a printer carries
 * Chinese in the profile's encoding, the URI, a QR code of it and one cut; a
 * profile that does not exist is refused. */
START_TEST (test_test_page)
{
  const char *uri = "file:///tmp/opentill-test-page.bin?width=58";
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) page = till_receipt_encode_test_page (uri, &error);
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char *text = NULL;
  GBytes          *bad;

  ck_assert_msg (page != NULL, "%s", error ? error->message : "");
  sim = print (page, 384);
  text = joined_text (sim);
  ck_assert (strstr (text, "打印测试") != NULL);
  ck_assert (strstr (text, "中文打印正常") != NULL);
  ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 1);
  ck_assert_str_eq (g_ptr_array_index (till_printer_sim_get_qr_payloads (sim), 0), uri);
  check_fits (sim, 32);
  save_png (sim, "test-page-58.png");

  bad = till_receipt_encode_test_page ("file:///tmp/x.bin?profile=no-such-printer", &error);
  ck_assert_ptr_null (bad);
  ck_assert_ptr_nonnull (error);
}
END_TEST

/* /hw/receipt/discounts: a changed price, a line discount and a whole-sale
 * discount each appear on the receipt, and its figures add up to the total. */
START_TEST (test_discounts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  gint64 gross = 0;
  gint64 line_discounts = 0;
  gint64 sale_discount = 0;

  ck_assert (till_user_create (shop.store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", NULL) > 0);
  manager = till_user_authenticate (shop.store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  add_to_cart (cart, shop.milk, 2 * TILL_QUANTITY_ONE);  /* 2 × 59.90 */
  add_to_cart (cart, shop.water, 3 * TILL_QUANTITY_ONE); /* 3 × 2.00 */
  ck_assert_msg (
      till_cart_override_price (cart, shop.journal, manager, 0, 5500, "price-error", NULL, &error),
      "%s", error ? error->message : "");
  ck_assert (
      till_cart_set_line_discount (cart, shop.journal, manager, 1, 1000, NULL, NULL, &error));
  ck_assert (till_cart_set_sale_discount (cart, shop.journal, manager, 500, NULL, NULL, &error));
  sale = till_sale_commit_cash (cart, shop.journal, shop.cashier, 20000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (sale, i);

      gross += line->amount + line->line_discount + line->sale_discount;
      line_discounts += line->line_discount;
      sale_discount += line->sale_discount;
    }
  ck_assert_int_gt (line_discounts, 0);
  ck_assert_int_gt (sale_discount, 0);

  bytes = till_receipt_encode (sale, shop.store, profile);
  sim = print (bytes, 576);
  ck_assert_ptr_nonnull (find_line (sim, "  Was 59.90"));
  ck_assert_ptr_nonnull (find_line (sim, "  Discount 10%"));
  {
    g_autofree char *line_off = till_money_format (-line_discounts);
    g_autofree char *sale_off = till_money_format (-sale_discount);
    g_autofree char *subtotal = till_money_format (gross - line_discounts);
    g_autofree char *total = till_money_format_yuan (till_sale_get_total (sale));

    ck_assert (g_str_has_suffix (find_line (sim, "  Discount 10%"), line_off));
    ck_assert (g_str_has_suffix (find_line (sim, "Sale discount"), sale_off));
    ck_assert (g_str_has_suffix (find_line (sim, "Subtotal"), subtotal));
    ck_assert (g_str_has_suffix (find_line (sim, "Total"), total));
    /* Subtotal − sale discount + rounding = total, as printed. */
    ck_assert_int_eq (gross - line_discounts - sale_discount + till_sale_get_rounding (sale),
                      till_sale_get_total (sale));
  }
  check_fits (sim, 48);
  save_png (sim, "receipt-discounts-80.png");
}
END_TEST

/* Commits @ret as the shop's cashier, with the manager's approval when the
 * core asks for one (the approver then goes on the slip). */
static void
commit_return (TillReturn *ret)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) manager = NULL;
  TillOverride override = { "9001", "9999", FALSE, "customer-changed-mind" };

  if (till_return_commit (ret, shop.journal, shop.cashier, NULL, &error))
    return;
  ck_assert_msg (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_DENIED) ||
                     g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_LIMIT),
                 "%s", error->message);
  g_clear_error (&error);
  ck_assert (till_user_create (shop.store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", NULL) > 0);
  ck_assert_msg (till_return_commit (ret, shop.journal, shop.cashier, &override, &error), "%s",
                 error ? error->message : "");
  ck_assert_str_eq (till_return_get_approver_code (ret), "9001");
}

/* The row whose label is @label (the whole label: "Cash" is not "Cashier"),
 * its figure at the end: @value. */
static void
assert_row (TillPrinterSim *sim, const char *label, const char *value)
{
  g_autofree char *prefix = g_strconcat (label, " ", NULL);
  const char      *line = find_line (sim, prefix);

  ck_assert_msg (line != NULL, "no line starts with %s", label);
  ck_assert_msg (g_str_has_suffix (line, value), "%s does not end with %s", line, value);
}

/* /hw/receipt/refund/with-receipt: returning 2 of 3 waters and the weighed
 * pork prints the return and receipt numbers, who did it, each line with its
 * quantity and refund, the refund total and tender, the reason and a line for
 * the customer's signature, on both paper widths. */
START_TEST (test_refund_with_receipt)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (shop.store, sale, &error);
  g_autofree char     *return_no = NULL;
  g_autofree char     *receipt_no = till_sale_format_receipt_no (sale);
  g_autofree char     *total = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "refund-80.png", "refund-58.png" };

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_set_quantity (ret, 0, 2 * TILL_QUANTITY_ONE, &error));
  ck_assert_msg (till_return_set_quantity (ret, 2, 456, &error), "%s", error ? error->message : "");
  till_return_set_reason (ret, TILL_RETURN_REASON_DEFECTIVE);
  commit_return (ret);
  ck_assert_uint_eq (till_return_get_n_lines (ret), 2);
  return_no = till_return_format_return_no (ret);
  total = till_money_format_yuan (till_return_get_refund_total (ret));

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode_refund (ret, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *title = g_strdup_printf ("*** %s ***", _ ("REFUND"));

      ck_assert_msg (strstr (text, title) != NULL, "%s", text);
      ck_assert (strstr (text, "好邻居便利店") != NULL);
      assert_row (sim, _ ("Return"), return_no);
      assert_row (sim, _ ("Original receipt"), receipt_no);
      assert_row (sim, _ ("Cashier"), "王小明 (1001)");
      if (till_return_get_approver_code (ret) != NULL)
        assert_row (sim, _ ("Approved by"), till_return_get_approver_code (ret));
      else
        ck_assert_ptr_null (find_line (sim, _ ("Approved by")));

      /* Each returned line: its quantity × price and its refund. */
      for (guint j = 0; j < till_return_get_n_lines (ret); j++)
        {
          const TillReturnLine *line = till_return_get_line (ret, j);
          g_autofree char      *amount = till_money_format (line->amount);
          g_autofree char      *quantity = till_quantity_format (line->quantity);
          g_autofree char      *prefix = g_strdup_printf ("  %s", quantity);
          const char           *row = find_line (sim, prefix);

          ck_assert_msg (strstr (text, line->name) != NULL || papers[i] == TILL_PAPER_58MM,
                         "%s missing", line->name);
          ck_assert_msg (row != NULL, "no row for %s", line->name);
          ck_assert_msg (g_str_has_suffix (row, amount), "%s does not end with %s", row, amount);
        }
      assert_row (sim, _ ("Refund"), total);
      for (guint j = 0; j < till_return_get_n_refunds (ret); j++)
        {
          const TillRefund *refund = till_return_get_refund (ret, j);
          g_autofree char  *amount = till_money_format (refund->amount);

          assert_row (sim, till_receipt_refund_method_label (refund->method), amount);
        }
      assert_row (sim, _ ("Reason"), till_return_reason_get_label (TILL_RETURN_REASON_DEFECTIVE));
      ck_assert_ptr_nonnull (find_line (sim, _ ("Customer signature:")));
      /* No receipt QR: a slip is not a sale HQ should verify as one. */
      ck_assert_uint_eq (till_printer_sim_get_qr_payloads (sim)->len, 0);
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/refund/without-receipt: the slip says there was no receipt, and
 * the refund figures are those of the return. */
START_TEST (test_refund_without_receipt)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillReturn) ret = till_return_new_without_receipt (shop.store);
  g_autoptr (TillProduct) milk = till_catalog_lookup_id (shop.catalog, shop.milk, &error);
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_80MM);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char *total = NULL;
  g_autofree char *cash = NULL;

  ck_assert_msg (milk != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_return_add_product (ret, milk, TILL_QUANTITY_ONE, -1, &error), "%s",
                 error ? error->message : "");
  till_return_set_reason (ret, TILL_RETURN_REASON_EXPIRED);
  commit_return (ret);
  ck_assert_int_eq (till_return_get_refund_total (ret), 5990);
  ck_assert_int_eq (till_return_get_cash_refund (ret), 5990);

  bytes = till_receipt_encode_refund (ret, shop.store, profile);
  sim = print (bytes, 576);
  total = till_money_format_yuan (5990);
  cash = till_money_format (5990);
  assert_row (sim, _ ("Original receipt"), _ ("Without receipt"));
  assert_row (sim, _ ("Refund"), total);
  assert_row (sim, _ ("Cash"), cash);
  assert_row (sim, _ ("Reason"), till_return_reason_get_label (TILL_RETURN_REASON_EXPIRED));
  assert_row (sim, "  1 × 59.90", "59.90");
  check_fits (sim, 48);
  save_png (sim, "refund-no-receipt-80.png");
}
END_TEST

/* /hw/receipt/content/exchange: three waters (¥6.00) come back for a box of milk
 * (¥59.90); the customer pays the rest with ¥60.00 in cash. The new sale's
 * receipt shows the exchange credit, then the cash and the change, and its
 * figures add up to the total. */
START_TEST (test_exchange_sale)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) first_cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) exchange = NULL;
  g_autoptr (TillSale) reloaded = NULL;
  g_autoptr (TillReturn) ret = NULL;
  g_autoptr (TillUser) manager = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-exchange-80.png", "receipt-exchange-58.png" };

  till_cart_set_rounding_rule (first_cart, TILL_ROUNDING_NONE);
  add_to_cart (first_cart, shop.water, 3 * TILL_QUANTITY_ONE);
  sale = till_sale_commit_cash (first_cart, shop.journal, shop.cashier, 600, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ret = till_return_new_with_receipt (shop.store, sale, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (ret, &error));
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add_to_cart (cart, shop.milk, 1 * TILL_QUANTITY_ONE);

  /* A manager makes the exchange: a cashier may need an approval for it. */
  ck_assert (till_user_create (shop.store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", NULL) > 0);
  manager = till_user_authenticate (shop.store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  exchange = till_return_commit_exchange (ret, cart, shop.journal, manager, 6000, NULL, &error);
  ck_assert_msg (exchange != NULL, "%s", error ? error->message : "");

  /* As the printer queue would print it: the sale as stored. */
  reloaded = till_sale_load (shop.store, till_sale_get_uuid (exchange), &error);
  ck_assert_msg (reloaded != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_total (reloaded), 5990);
  ck_assert_uint_eq (till_sale_get_n_payments (reloaded), 2);
  ck_assert_str_eq (till_sale_get_payment (reloaded, 0)->method, "exchange");
  ck_assert_int_eq (till_sale_get_payment (reloaded, 0)->amount, 600);
  ck_assert_int_eq (till_sale_get_tendered (reloaded), 6000);
  ck_assert_int_eq (till_sale_get_change (reloaded), 610);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (reloaded, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      const GPtrArray *lines = till_printer_sim_get_lines (sim);
      const char      *credit_line = find_line (sim, _ ("Exchange credit"));
      const char      *cash_line = find_line (sim, "Cash ");
      guint            credit_at = G_MAXUINT, cash_at = G_MAXUINT;

      assert_row (sim, _ ("Total"), "￥59.90");
      assert_row (sim, _ ("Exchange credit"), "6.00");
      assert_row (sim, _ ("Cash"), "60.00");
      assert_row (sim, _ ("Change"), "6.10");
      /* Credit, then cash, then change, as the customer reads them. */
      for (guint j = 0; j < lines->len; j++)
        {
          if (g_ptr_array_index (lines, j) == credit_line)
            credit_at = j;
          if (g_ptr_array_index (lines, j) == cash_line)
            cash_at = j;
        }
      ck_assert_uint_lt (credit_at, cash_at);
      ck_assert (g_str_has_prefix (g_ptr_array_index (lines, cash_at + 1), _ ("Change")));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/content/exchange-all-credit: goods brought back worth more than
 * the new goods pay for them entirely: no cash rows on the receipt (the cash
 * going back is on the refund slip). */
START_TEST (test_exchange_all_credit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) first_cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) exchange = NULL;
  g_autoptr (TillReturn) ret = NULL;
  g_autoptr (TillUser) manager = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;

  till_cart_set_rounding_rule (first_cart, TILL_ROUNDING_NONE);
  add_to_cart (first_cart, shop.water, 3 * TILL_QUANTITY_ONE);
  sale = till_sale_commit_cash (first_cart, shop.journal, shop.cashier, 600, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ret = till_return_new_with_receipt (shop.store, sale, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (ret, &error));
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add_to_cart (cart, shop.water, 1 * TILL_QUANTITY_ONE);
  ck_assert (till_user_create (shop.store, "9001", "李经理", TILL_ROLE_MANAGER, "9999", NULL) > 0);
  manager = till_user_authenticate (shop.store, "9001", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  exchange = till_return_commit_exchange (ret, cart, shop.journal, manager, 0, NULL, &error);
  ck_assert_msg (exchange != NULL, "%s", error ? error->message : "");

  bytes = till_receipt_encode (exchange, shop.store, NULL);
  sim = print (bytes, 576);
  assert_row (sim, _ ("Exchange credit"), "2.00");
  ck_assert_ptr_null (find_line (sim, "Cash "));
  ck_assert_ptr_null (find_line (sim, _ ("Change")));
  save_png (sim, "receipt-exchange-all-credit-80.png");
}
END_TEST

/* /hw/receipt/refund/method-labels: the tenders have names on paper; one the
 * slip does not know is printed as it is rather than dropped. */
START_TEST (test_refund_method_labels)
{
  ck_assert_str_eq (till_receipt_refund_method_label ("cash"), _ ("Cash"));
  ck_assert_str_eq (till_receipt_refund_method_label ("exchange"), _ ("Exchange credit"));
  ck_assert_str_ne (till_receipt_refund_method_label ("wechat"), "wechat");
  ck_assert_str_eq (till_receipt_refund_method_label ("voucher"), _ ("Voucher"));
  ck_assert_str_eq (till_receipt_refund_method_label ("voucher-x"), "voucher-x");
}
END_TEST

/* Mixed payments (issue 6). */

#define SV_CARD "8800567800120012"
#define WALLET_TXN "4200001234202611230012345678"

static void
apply_tender (TillPayment   *payment,
              const char    *method,
              TillTenderKind kind,
              gint64         amount,
              gint64         tendered,
              const char    *reference,
              const char    *account)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSalePayment) tender = till_sale_payment_new (method, kind, amount);

  tender->tendered = tendered;
  if (kind == TILL_TENDER_KIND_CASH)
    tender->change = tendered - amount;
  tender->reference = g_strdup (reference);
  tender->account = g_strdup (account);
  ck_assert_msg (till_payment_add (payment, tender, &error), "%s: %s", method,
                 error ? error->message : "");
}

/* A WeChat Pay attempt confirmed paid, saved as the wallet service saves it:
 * the save applies it to the open cart. */
static void
pay_by_wallet (TillCart *cart, gint64 amount)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) attempt =
      till_wallet_attempt_begin (shop.store, TILL_WALLET_WECHAT, till_cart_get_sale_uuid (cart),
                                 amount, "134526789012345678", FALSE, &error);

  ck_assert_msg (attempt != NULL, "%s", error ? error->message : "");
  attempt->state = TILL_WALLET_STATE_PAID;
  attempt->transaction_id = g_strdup (WALLET_TXN);
  attempt->buyer = g_strdup ("oUpF****5lVo");
  ck_assert_msg (till_wallet_attempt_save (shop.store, attempt, &error), "%s",
                 error ? error->message : "");
}

/* The weighed sale's goods (¥77.66), paid ¥20.00 by WeChat Pay, ¥10.00 from
 * a stored-value card, ¥30.00 by bank card, a ¥10.00 voucher, and the rest in
 * cash, 抹角 to ¥7.00: ¥10.00 handed over, ¥3.00 change. */
static TillSale *
commit_mixed_sale (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillPayment) payment = NULL;
  TillSale *sale;

  ck_assert_msg (till_stored_value_open (shop.store, SV_CARD, "陈静", 10000, 1000, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (till_voucher_issue (shop.store, "V2026001", 1000, 0, NULL, NULL, &error), "%s",
                 error ? error->message : "");
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add_to_cart (cart, shop.water, 3 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.milk, 1 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.pork, 456);
  pay_by_wallet (cart, 2000);
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  apply_tender (payment, "stored-value", TILL_TENDER_KIND_STORED_VALUE, 1000, 1000, SV_CARD,
                "8800****0012");
  apply_tender (payment, "card", TILL_TENDER_KIND_CARD, 3000, 3000, "123456", "**** 1234");
  apply_tender (payment, "voucher", TILL_TENDER_KIND_VOUCHER, 1000, 1000, "V2026001", NULL);
  ck_assert_int_eq (till_payment_get_cash_due (payment), 700);
  apply_tender (payment, "cash", TILL_TENDER_KIND_CASH, 700, 1000, NULL, NULL);
  sale = till_sale_commit (cart, payment, shop.journal, shop.cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* The index of the first line starting with @prefix, G_MAXUINT for none. */
static guint
line_index (TillPrinterSim *sim, const char *prefix)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  for (guint i = 0; i < lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (lines, i), prefix))
      return i;
  return G_MAXUINT;
}

static const char *
line_at (TillPrinterSim *sim, guint index)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);

  ck_assert_uint_lt (index, lines->len);
  return g_ptr_array_index (lines, index);
}

/* /hw/receipt/tenders/mixed: every tender on its own row with its amount, and
 * under it what identifies it: the wallet's transaction number (its last 8
 * digits), the card's tail and terminal reference, the stored-value card
 * masked and its balance after the sale, the voucher's code; then cash and
 * change, and 抹零 on the cash part; on both paper widths. */
START_TEST (test_mixed_tenders)
{
  g_autoptr (TillSale) sale = commit_mixed_sale ();
  g_autoptr (TillSale) reloaded = NULL;
  g_autoptr (GError) error = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-mixed-80.png", "receipt-mixed-58.png" };

  ck_assert_int_eq (till_sale_get_rounding (sale), -66);
  ck_assert_int_eq (till_sale_get_total (sale), 7700);
  /* As the print queue prints it: the sale as stored. */
  reloaded = till_sale_load (shop.store, till_sale_get_uuid (sale), &error);
  ck_assert_msg (reloaded != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (till_sale_get_n_payments (reloaded), 5);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (reloaded, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *txn = g_strdup_printf ("  %s …%s", _ ("Txn"), "12345678");
      g_autofree char *card_ref =
          g_strdup_printf ("  %s **** 1234 %s 123456", _ ("Card"), _ ("Ref"));
      g_autofree char *face_label = g_strdup_printf ("  %s", _ ("Face value"));
      g_autofree char *sv = g_strdup_printf ("  %s 8800****0012", _ ("Card"));
      g_autofree char *sv_balance_label = g_strdup_printf ("  %s ", _ ("Card balance"));
      g_autofree char *voucher = g_strdup_printf ("  %s V2026001", _ ("Voucher no."));
      guint            wechat_at = line_index (sim, _ ("WeChat Pay"));
      guint            sv_at = line_index (sim, _ ("Stored value"));
      guint            card_at = line_index (sim, _ ("Bank card"));
      guint            voucher_at = line_index (sim, _ ("Voucher"));
      guint            cash_at = line_index (sim, "Cash ");

      assert_row (sim, _ ("Rounding"), "-0.66");
      assert_row (sim, _ ("Total"), "￥77.00");
      assert_row (sim, _ ("WeChat Pay"), "20.00");
      assert_row (sim, _ ("Stored value"), "10.00");
      assert_row (sim, _ ("Bank card"), "30.00");
      assert_row (sim, _ ("Voucher"), "10.00");
      assert_row (sim, _ ("Cash"), "10.00");
      assert_row (sim, _ ("Change"), "3.00");
      /* Each tender's details on the line(s) right under its row; the card's
       * two fit one line on 80 mm. */
      ck_assert_str_eq (line_at (sim, wechat_at + 1), txn);
      ck_assert_ptr_null (strstr (text, WALLET_TXN));
      ck_assert_str_eq (line_at (sim, sv_at + 1), sv);
      /* ¥100.00 + ¥10.00 bonus, ¥10.00 paid. */
      ck_assert (g_str_has_prefix (line_at (sim, sv_at + 2), sv_balance_label));
      ck_assert (g_str_has_suffix (line_at (sim, sv_at + 2), "￥100.00"));
      ck_assert_ptr_null (strstr (text, SV_CARD));
      ck_assert_str_eq (line_at (sim, card_at + 1), card_ref);
      ck_assert_str_eq (line_at (sim, voucher_at + 1), voucher);
      /* No face value: the voucher paid all of it. */
      ck_assert_ptr_null (find_line (sim, face_label));
      ck_assert_uint_lt (wechat_at, sv_at);
      ck_assert_uint_lt (sv_at, card_at);
      ck_assert_uint_lt (card_at, voucher_at);
      ck_assert_uint_lt (voucher_at, cash_at);
      ck_assert (g_str_has_prefix (line_at (sim, cash_at + 1), _ ("Change")));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/tenders/voucher-face-value: a ¥20.00 voucher that paid the
 * last ¥7.66 of a sale shows its face value: the rest was forfeited; no cash
 * rows without cash. */
START_TEST (test_voucher_face_value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillPayment) payment = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (TILL_PAPER_58MM);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (TillPrinterSim) sim = NULL;
  g_autofree char *face_label = g_strdup_printf ("  %s", _ ("Face value"));
  g_autofree char *card_line = g_strdup_printf ("  %s **** 8899", _ ("Card"));
  g_autofree char *ref_line = g_strdup_printf ("  %s A1B2C3D4E5F6", _ ("Ref"));

  ck_assert_msg (till_voucher_issue (shop.store, "V2026002", 2000, 0, NULL, NULL, &error), "%s",
                 error ? error->message : "");
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_DROP_JIAO);
  add_to_cart (cart, shop.water, 3 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.milk, 1 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.pork, 456);
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  apply_tender (payment, "card", TILL_TENDER_KIND_CARD, 7000, 7000, "A1B2C3D4E5F6", "**** 8899");
  apply_tender (payment, "voucher", TILL_TENDER_KIND_VOUCHER, 766, 2000, "V2026002", NULL);
  sale = till_sale_commit (cart, payment, shop.journal, shop.cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (till_sale_get_total (sale), 7766);

  bytes = till_receipt_encode (sale, shop.store, profile);
  sim = print (bytes, 384);
  assert_row (sim, _ ("Voucher"), "7.66");
  assert_row (sim, face_label, "￥20.00");
  assert_row (sim, _ ("Bank card"), "70.00");
  /* Too long for one 58 mm line: the card's tail and reference each get one. */
  ck_assert_str_eq (line_at (sim, line_index (sim, _ ("Bank card")) + 1), card_line);
  ck_assert_str_eq (line_at (sim, line_index (sim, _ ("Bank card")) + 2), ref_line);
  ck_assert_ptr_null (find_line (sim, "Cash "));
  ck_assert_ptr_null (find_line (sim, _ ("Change")));
  ck_assert_ptr_null (find_line (sim, _ ("Rounding")));
  check_fits (sim, 32);
  save_png (sim, "receipt-voucher-58.png");
}
END_TEST

/* /hw/receipt/tenders/mixed-refund: the mixed sale returned whole. The slip
 * lists every refund tender with its details and where the money stands:
 * the wallet refund in progress, the card refund to make on the terminal,
 * the voucher not refunded in cash; on both paper widths. */
START_TEST (test_mixed_refund)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = commit_mixed_sale ();
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (shop.store, sale, &error);
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "refund-mixed-80.png", "refund-mixed-58.png" };

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (ret, &error));
  commit_return (ret);
  ck_assert_int_eq (till_return_get_refund_total (ret), 7700);
  ck_assert_uint_eq (till_return_get_n_refunds (ret), 5);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode_refund (ret, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *txn = g_strdup_printf ("  %s …%s", _ ("Txn"), "12345678");
      g_autofree char *in_progress = g_strdup_printf ("  %s", _ ("Refund in progress"));
      g_autofree char *on_terminal = g_strdup_printf ("  %s", _ ("Refund on the card terminal"));
      g_autofree char *not_cash = g_strdup_printf ("  %s", _ ("Not refundable in cash"));
      g_autofree char *sv = g_strdup_printf ("  %s 8800****0012", _ ("Card"));
      guint            wechat_at = line_index (sim, _ ("WeChat Pay"));
      guint            card_at = line_index (sim, _ ("Bank card"));
      guint            voucher_at = line_index (sim, _ ("Voucher"));
      guint            sv_at = line_index (sim, _ ("Stored value"));

      assert_row (sim, _ ("Refund"), "￥77.00");
      assert_row (sim, _ ("Stored value"), "10.00");
      assert_row (sim, _ ("WeChat Pay"), "20.00");
      assert_row (sim, _ ("Bank card"), "30.00");
      assert_row (sim, _ ("Cash"), "7.00");
      assert_row (sim, _ ("Voucher"), "10.00");
      assert_row (sim, _ ("Refunded in money"), "67.00");
      ck_assert_str_eq (line_at (sim, sv_at + 1), sv);
      ck_assert_str_eq (line_at (sim, wechat_at + 1), txn);
      ck_assert_str_eq (line_at (sim, wechat_at + 2), in_progress);
      ck_assert_uint_ne (line_index (sim, on_terminal), G_MAXUINT);
      ck_assert_uint_gt (line_index (sim, on_terminal), card_at);
      ck_assert_str_eq (line_at (sim, voucher_at + 2), not_cash);
      ck_assert_ptr_nonnull (find_line (sim, _ ("Customer signature:")));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/tenders/mixed-zh: the mixed receipt and refund slip in Chinese,
 * for the eye: the PNGs show the labels and the alignment as printed. */
START_TEST (test_mixed_chinese)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillReturn) ret = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *receipt_pngs[] = { "receipt-mixed-zh-80.png", "receipt-mixed-zh-58.png" };
  const char          *refund_pngs[] = { "refund-mixed-zh-80.png", "refund-mixed-zh-58.png" };

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  ck_assert_ptr_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, SOURCE_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  sale = commit_mixed_sale ();
  ret = till_return_new_with_receipt (shop.store, sale, &error);
  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  ck_assert (till_return_pick_all (ret, &error));
  commit_return (ret);
  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) receipt = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (GBytes) slip = till_receipt_encode_refund (ret, shop.store, profile);
      g_autoptr (TillPrinterSim) receipt_sim = print (receipt, widths[i]);
      g_autoptr (TillPrinterSim) slip_sim = print (slip, widths[i]);

      ck_assert (g_str_has_suffix (find_line (receipt_sim, "微信支付"), "20.00"));
      ck_assert (g_str_has_suffix (find_line (receipt_sim, "储值卡"), "10.00"));
      ck_assert (g_str_has_suffix (find_line (slip_sim, "银行卡"), "30.00"));
      check_fits (receipt_sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      check_fits (slip_sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (receipt_sim, receipt_pngs[i]);
      save_png (slip_sim, refund_pngs[i]);
    }
}
END_TEST

/* /hw/receipt/promotions: promotions the till made (第二件半价 on water, a
 * long-named 9折 on milk, a gift with two milks, 满减 tiers on the sale),
 * sold through the real cart. */

#define LONG_PROMOTION_NAME "蒙牛纯牛奶整箱限时特惠九折（会员日专享，数量有限送完即止）"
#define GIFT_NAME "奥利奥原味夹心饼干97g"

/* Saves @promotion (taking it) as the till's own, as a manager. */
static void
save_promotion (TillUser *manager, TillPromotion *promotion)
{
  g_autoptr (GError) error = NULL;

  ck_assert_msg (
      till_promotion_save_local (shop.store, shop.journal, manager, NULL, promotion, &error), "%s",
      error ? error->message : "");
  till_promotion_free (promotion);
}

static GStrv
one_sku (const char *sku)
{
  const char *skus[] = { sku, NULL };

  return g_strdupv ((GStrv) skus);
}

static void
add_shop_promotions (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillUser) manager = NULL;
  TillPromotion *promotion;

  /* Not 9001: commit_return() makes that one when a return needs approval. */
  ck_assert (till_user_create (shop.store, "9002", "赵店长", TILL_ROLE_MANAGER, "9999", NULL) > 0);
  manager = till_user_authenticate (shop.store, "9002", "9999", &error);
  ck_assert_msg (manager != NULL, "%s", error ? error->message : "");
  add_product ("100004", GIFT_NAME, "盒", 590, FALSE);

  promotion = till_promotion_new ("P-WATER-2ND", "饮料第二件半价", TILL_PROMOTION_NTH_ITEM);
  promotion->skus = one_sku ("100001");
  promotion->nth_item = 2;
  promotion->percent_bp = 5000;
  save_promotion (manager, promotion);

  promotion = till_promotion_new ("P-MILK-90", LONG_PROMOTION_NAME, TILL_PROMOTION_PERCENT_OFF);
  promotion->skus = one_sku ("100002");
  promotion->percent_bp = 1000;
  save_promotion (manager, promotion);

  promotion = till_promotion_new ("P-MILK-GIFT", "买两箱牛奶赠饼干", TILL_PROMOTION_GIFT);
  promotion->skus = one_sku ("100002");
  promotion->min_quantity = 2 * TILL_QUANTITY_ONE;
  promotion->gift_sku = g_strdup ("100004");
  promotion->gift_quantity = TILL_QUANTITY_ONE;
  promotion->per_sale_limit = 1;
  save_promotion (manager, promotion);

  promotion = till_promotion_new ("P-SPEND", "满100减10，满200减30", TILL_PROMOTION_THRESHOLD);
  g_array_append_vals (promotion->tiers, (TillPromotionTier[]){ { 10000, 1000 }, { 20000, 3000 } },
                       2);
  save_promotion (manager, promotion);
}

/* Water ×2 (the second at half price), milk ×2 (9折, and the biscuits as a
 * gift), 456 g of pork; 满100减10 over all three; no rounding, exact cash. */
static TillSale *
commit_promotion_sale (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = NULL;
  TillSale *sale;

  add_shop_promotions ();
  cart = till_cart_new (shop.store, shop.catalog);
  ck_assert_msg (till_cart_reload_promotions (cart, &error), "%s", error ? error->message : "");
  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add_to_cart (cart, shop.water, 2 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.milk, 2 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.pork, 456);
  ck_assert_int_gt (till_cart_get_promotion_saving (cart), 0);
  sale =
      till_sale_commit_cash (cart, shop.journal, shop.cashier, till_cart_get_total (cart), &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* Whether a row under a line names the promotion @name (its first
 * characters: a long name wraps) with @amount at the end of it or of the
 * line after it (where a wrapped name ends). */
static gboolean
has_saving_row (TillPrinterSim *sim, const char *name, const char *amount)
{
  const GPtrArray *lines = till_printer_sim_get_lines (sim);
  g_autofree char *start = g_utf8_substring (name, 0, MIN (4, g_utf8_strlen (name, -1)));
  g_autofree char *prefix = g_strconcat ("  ", start, NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *next = i + 1 < lines->len ? g_ptr_array_index (lines, i + 1) : "";

      if (!g_str_has_prefix (line, prefix))
        continue;
      if (g_str_has_suffix (line, amount) || g_str_has_suffix (next, amount))
        return TRUE;
    }
  return FALSE;
}

static const TillSalePromotion *
sale_promotion (TillSale *sale, const char *code)
{
  for (guint i = 0; i < till_sale_get_n_promotions (sale); i++)
    if (g_str_equal (till_sale_get_promotion (sale, i)->code, code))
      return till_sale_get_promotion (sale, i);
  ck_abort_msg ("the sale has no promotion %s", code);
  return NULL;
}

/* The totals tell the line promotions in one row and each whole-sale
 * promotion (满减, coupon) in a row of its own; together they are the
 * sale's promotion saving. */
static void
assert_promotion_totals (TillPrinterSim *sim, TillSale *sale)
{
  gint64 whole_sale = 0;

  for (guint i = 0; i < till_sale_get_n_promotions (sale); i++)
    {
      const TillSalePromotion *promotion = till_sale_get_promotion (sale, i);
      g_autofree char         *amount = till_money_format (-promotion->saving);

      if (!promotion->whole_sale || promotion->saving == 0)
        continue;
      assert_row (sim, promotion->name, amount);
      whole_sale += promotion->saving;
    }
  if (till_sale_get_promotion_saving (sale) > whole_sale)
    {
      g_autofree char *amount =
          till_money_format (-(till_sale_get_promotion_saving (sale) - whole_sale));

      assert_row (sim, _ ("Item promotions"), amount);
    }
  else
    ck_assert_ptr_null (find_line (sim, _ ("Item promotions")));
}

static const TillSaleLine *
sale_line_for_sku (TillSale *sale, const char *sku)
{
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    if (g_str_equal (till_sale_get_line (sale, i)->sku, sku))
      return till_sale_get_line (sale, i);
  return NULL;
}

/* The figures of a sale's promotions and discounts, as the receipt adds
 * them up. */
typedef struct
{
  gint64 gross;
  gint64 line_discounts;
  gint64 promotions;
  gint64 sale_discount;
} SaleFigures;

static SaleFigures
sale_figures (TillSale *sale)
{
  SaleFigures figures = { 0 };

  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (sale, i);
      gint64              shares = 0;

      for (guint j = 0; j < line->promotions->len; j++)
        shares += g_array_index (line->promotions, TillPricingShare, j).amount;
      ck_assert_int_eq (shares, line->promotion_discount);
      figures.gross +=
          line->amount + line->line_discount + line->promotion_discount + line->sale_discount;
      figures.line_discounts += line->line_discount;
      figures.promotions += line->promotion_discount;
      figures.sale_discount += line->sale_discount;
    }
  return figures;
}

/* Every line's promotion shares under it, named, with their amounts; the
 * gift marked at 0.00; the subtotal before promotions, the promotions'
 * saving, the total, and what the customer saved, adding up; on 80 mm and
 * 58 mm, nothing wider than the paper. */
START_TEST (test_promotion_receipt)
{
  g_autoptr (TillSale) sale = commit_promotion_sale ();
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-promotions-80.png", "receipt-promotions-58.png" };
  const TillSaleLine  *water = sale_line_for_sku (sale, "100001");
  const TillSaleLine  *gift = sale_line_for_sku (sale, "100004");
  SaleFigures          figures = sale_figures (sale);
  gboolean             seen_gift_promotion = FALSE;

  /* What the cart and the sale say happened: the receipt prints it. */
  ck_assert_ptr_nonnull (water);
  ck_assert_ptr_nonnull (gift);
  ck_assert_str_eq (gift->gift_code, "P-MILK-GIFT");
  ck_assert_int_eq (gift->amount, 0);
  ck_assert_int_gt (figures.promotions, 0);
  ck_assert_int_eq (figures.promotions, till_sale_get_promotion_saving (sale));
  ck_assert_int_eq (figures.gross - figures.line_discounts - figures.promotions -
                        figures.sale_discount + till_sale_get_rounding (sale),
                    till_sale_get_total (sale));
  for (guint i = 0; i < till_sale_get_n_promotions (sale); i++)
    seen_gift_promotion =
        seen_gift_promotion || g_str_equal (till_sale_get_promotion (sale, i)->code, "P-MILK-GIFT");
  ck_assert (seen_gift_promotion);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *subtotal = till_money_format (figures.gross - figures.line_discounts);
      g_autofree char *total = till_money_format_yuan (till_sale_get_total (sale));
      g_autofree char *saved_amount = till_money_format_yuan (figures.promotions);
      g_autofree char *saved = g_strdup_printf (_ ("You saved %s"), saved_amount);
      g_autofree char *gift_prefix = g_strdup_printf ("  %s ", _ ("Gift"));
      const char      *gift_row = find_line (sim, gift_prefix);

      for (guint l = 0; l < till_sale_get_n_lines (sale); l++)
        {
          const TillSaleLine *line = till_sale_get_line (sale, l);

          for (guint j = 0; j < line->promotions->len; j++)
            {
              const TillPricingShare *share =
                  &g_array_index (line->promotions, TillPricingShare, j);
              g_autofree char *amount = till_money_format (-share->amount);

              /* 满减 and coupons are told once, in the totals. */
              if (sale_promotion (sale, share->code)->whole_sale)
                continue;
              ck_assert_msg (has_saving_row (sim, share->name, amount), "no row %s %s under %s",
                             share->name, amount, line->name);
            }
        }
      /* 第二件半价: one of the two 2.00 waters at half price. */
      ck_assert (has_saving_row (sim, "饮料第二件半价", "-1.00"));
      ck_assert_msg (gift_row != NULL, "no gift row");
      ck_assert (g_str_has_suffix (gift_row, "0.00"));
      assert_row (sim, _ ("Subtotal"), subtotal);
      assert_promotion_totals (sim, sale);
      assert_row (sim, _ ("Total"), total);
      ck_assert_ptr_null (find_line (sim, _ ("Sale discount")));
      ck_assert_msg (find_line (sim, saved) != NULL, "no line %s", saved);
      if (papers[i] == TILL_PAPER_80MM)
        {
          g_autofree char *text = joined_text (sim);

          ck_assert (strstr (text, "满100减10，满200减30") != NULL);
        }
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/promotions/no-saving: a sale without promotions or discounts
 * prints neither a promotions row nor "You saved". */
START_TEST (test_no_saving_lines)
{
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, NULL);
  g_autoptr (TillPrinterSim) sim = print (bytes, 576);
  g_autofree char *saved = g_strdup_printf (_ ("You saved %s"), "");
  g_autofree char *gift = g_strconcat ("  ", _ ("Gift"), NULL);

  ck_assert_ptr_null (find_line (sim, _ ("Item promotions")));
  ck_assert_ptr_null (find_line (sim, saved));
  ck_assert_ptr_null (find_line (sim, gift));
}
END_TEST

/* /hw/receipt/promotions/refund: returning one promoted water and the pork
 * shows, under each, the promotion discount given back with the refund;
 * each line's figures add up to its refund. */
START_TEST (test_promotion_refund)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSale) sale = commit_promotion_sale ();
  g_autoptr (TillReturn) ret = till_return_new_with_receipt (shop.store, sale, &error);
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "refund-promotions-80.png", "refund-promotions-58.png" };
  gint64               promotion_back = 0;

  ck_assert_msg (ret != NULL, "%s", error ? error->message : "");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (sale, i);

      if (g_str_equal (line->sku, "100001"))
        ck_assert_msg (till_return_set_quantity (ret, i, TILL_QUANTITY_ONE, &error), "%s",
                       error ? error->message : "");
      else if (g_str_equal (line->sku, "200001"))
        ck_assert_msg (till_return_set_quantity (ret, i, 456, &error), "%s",
                       error ? error->message : "");
    }
  till_return_set_reason (ret, TILL_RETURN_REASON_DEFECTIVE);
  commit_return (ret);
  ck_assert_uint_eq (till_return_get_n_lines (ret), 2);
  for (guint j = 0; j < till_return_get_n_lines (ret); j++)
    promotion_back += till_return_get_line (ret, j)->promotion_discount;
  ck_assert_int_gt (promotion_back, 0);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode_refund (ret, shop.store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *total = till_money_format_yuan (till_return_get_refund_total (ret));

      for (guint j = 0; j < till_return_get_n_lines (ret); j++)
        {
          const TillReturnLine *line = till_return_get_line (ret, j);
          g_autofree char      *quantity = till_quantity_format (line->quantity);
          g_autofree char      *prefix = g_strdup_printf ("  %s", quantity);
          g_autofree char      *gross = till_money_format (
                   line->amount + line->line_discount + line->promotion_discount + line->sale_discount);
          g_autofree char *back = till_money_format (-line->promotion_discount);
          const char      *row = find_line (sim, prefix);
          const char      *name =
              g_str_equal (line->sku, "200001") ? "满100减10，满200减30" : _ ("Promotion savings");

          ck_assert_msg (row != NULL, "no row for %s", line->name);
          ck_assert_msg (g_str_has_suffix (row, gross), "%s does not end with %s", row, gross);
          if (line->promotion_discount > 0)
            ck_assert_msg (has_saving_row (sim, name, back), "no %s %s under %s", name, back,
                           line->name);
        }
      assert_row (sim, _ ("Refund"), total);
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
      save_png (sim, pngs[i]);
    }
}
END_TEST

/* /hw/receipt/promotions/demo: a sale in the demo store, in Chinese, with
 * its own promotions and the DEMO10 coupon: the receipt names them. */
START_TEST (test_demo_promotion_receipt)
{
  static const struct
  {
    const char *name;
    gint64      quantity;
  } items[] = {
    { "康师傅 冰红茶 500ml", 2000 }, { "伊利 纯牛奶 250ml", 2000 },
    { "卫龙 大面筋 106g", 3000 },    { "德芙 丝滑牛奶巧克力 43g", 1000 },
    { "金龙鱼 东北大米 5kg", 2000 },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = till_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "demo.db", NULL);
  g_autofree char *key = g_build_filename (dir, "demo.key", NULL);
  g_autoptr (TillStore) store = till_store_open (db, &error);
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) cashier = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (TillPromotion) coupon = NULL;
  g_autoptr (TillSale) sale = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char *pngs[] = { "receipt-demo-promotions-80.png", "receipt-demo-promotions-58.png" };
  const char *expected[] = { "茶饮料第二件半价", "零食任选3件10元", "德芙巧克力8折",
                             "满100减10，满200减30", "满50减10优惠券" };

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  ck_assert_ptr_nonnull (setlocale (LC_ALL, "C.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, SOURCE_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  /* So that _() here reads the receipt's own catalog. */
  textdomain (GETTEXT_PACKAGE);

  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, 200, 1, &error), "%s", error ? error->message : "");
  catalog = till_catalog_new (store);
  journal = till_journal_new (store, key, &error);
  ck_assert_msg (journal != NULL, "%s", error ? error->message : "");
  cashier = till_user_authenticate (store, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN, &error);
  ck_assert_msg (cashier != NULL, "%s", error ? error->message : "");
  cart = till_cart_new (store, catalog);
  ck_assert_msg (till_cart_reload_promotions (cart, &error), "%s", error ? error->message : "");
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autoptr (sqlite3_stmt) stmt = NULL;
      g_autoptr (TillProduct) product = NULL;

      ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                            "SELECT id FROM product WHERE name = ?", -1, &stmt,
                                            NULL),
                        SQLITE_OK);
      sqlite3_bind_text (stmt, 1, items[i].name, -1, SQLITE_STATIC);
      ck_assert_msg (sqlite3_step (stmt) == SQLITE_ROW, "no %s", items[i].name);
      product = till_catalog_lookup_id (catalog, sqlite3_column_int64 (stmt, 0), &error);
      ck_assert_msg (product != NULL, "%s", error ? error->message : "");
      ck_assert_msg (till_cart_add_product (cart, product, items[i].quantity, &error) != NULL, "%s",
                     error ? error->message : "");
    }
  coupon = till_cart_add_coupon (cart, TILL_DEMO_COUPON, &error);
  ck_assert_msg (coupon != NULL, "%s", error ? error->message : "");
  sale = till_sale_commit_cash (cart, journal, cashier, 20000, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  ck_assert_int_gt (till_sale_get_promotion_saving (sale), 0);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode (sale, store, profile);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *gift_prefix = g_strdup_printf ("  %s ", _ ("Gift"));

      /* Saved first, to look at when an assertion below fails. */
      save_png (sim, pngs[i]);

      for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
        ck_assert_msg (strstr (text, expected[e]) != NULL, "%s not on the receipt", expected[e]);
      ck_assert_msg (find_line (sim, gift_prefix) != NULL, "no gift row");
      ck_assert_ptr_nonnull (strstr (text, "奥利奥 原味夹心饼干 97g"));
      assert_promotion_totals (sim, sale);
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
    }
  g_clear_object (&sale);
  g_clear_object (&cart);
  g_clear_object (&journal);
  g_clear_object (&catalog);
  g_clear_object (&store);
  till_test_remove_tree (dir);
}
END_TEST

/* --- Members (issue 9) ---------------------------------------------------- */

/* A member registered with phone 13812341234 (a key made for the test),
 * with ¥100.00 topped up (+¥10.00 bonus) onto their card. */
static TillMember *
register_member (TillMemberKey *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStoredValueAccount) account = NULL;
  TillMemberSpec spec = { .phone = "13812341234", .name = "陈静" };
  TillMember    *member;

  member = till_member_register (shop.store, shop.journal, key, shop.cashier, &spec, &error);
  ck_assert_msg (member != NULL, "%s", error ? error->message : "");
  account = till_stored_value_top_up (shop.store, shop.journal, shop.cashier, member->id, 10000,
                                      "cash", &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (account->balance, 11000);
  return member;
}

static TillMemberKey *
test_member_key (void)
{
  guint8 bytes[64];

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) (i * 7 + 1);
  return till_member_key_new_from_bytes (bytes);
}

/* The member's sale: milk and water (¥65.90), ¥30.00 from their card, the
 * rest in cash. */
static TillSale *
commit_member_sale (const TillMember *member, const char *card_no, gint64 from_card)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = till_cart_new (shop.store, shop.catalog);
  g_autoptr (TillPayment) payment = NULL;
  g_autofree char *masked = till_stored_value_mask_card (card_no);
  TillSale        *sale;

  till_cart_set_rounding_rule (cart, TILL_ROUNDING_NONE);
  add_to_cart (cart, shop.water, 3 * TILL_QUANTITY_ONE);
  add_to_cart (cart, shop.milk, 1 * TILL_QUANTITY_ONE);
  ck_assert_msg (till_cart_attach_member (cart, member, &error), "%s", error ? error->message : "");
  payment = till_payment_new (cart, &error);
  ck_assert_msg (payment != NULL, "%s", error ? error->message : "");
  apply_tender (payment, "stored-value", TILL_TENDER_KIND_STORED_VALUE, from_card, from_card,
                card_no, masked);
  apply_tender (payment, "cash", TILL_TENDER_KIND_CASH, till_payment_get_cash_due (payment), 10000,
                NULL, NULL);
  sale = till_sale_commit (cart, payment, shop.journal, shop.cashier, &error);
  ck_assert_msg (sale != NULL, "%s", error ? error->message : "");
  return sale;
}

/* /hw/receipt/members/sale: a member's sale prints the member block (masked
 * phone, points earned, points balance) and the card's balance after the
 * sale; a reprint after the card paid again shows the same balance. */
START_TEST (test_member_receipt)
{
  g_autoptr (TillMemberKey) key = test_member_key ();
  g_autoptr (TillMember) member = register_member (key);
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillSale) sale = NULL;
  g_autoptr (TillSale) reloaded = NULL;
  g_autoptr (TillSale) later = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char     *earned = NULL;
  g_autofree char     *balance = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "receipt-member-80.png", "receipt-member-58.png" };

  account = till_stored_value_find_for_member (shop.store, member->id, &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  sale = commit_member_sale (member, account->card_no, 3000);
  reloaded = till_sale_load (shop.store, till_sale_get_uuid (sale), &error);
  ck_assert_msg (reloaded != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (till_sale_get_member_masked (reloaded), "138****1234");
  earned = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_points_earned (reloaded));
  balance = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_points_balance (reloaded));
  ck_assert_int_gt (till_sale_get_points_earned (reloaded), 0);

  /* The card pays again before the reprints below. */
  later = commit_member_sale (member, account->card_no, 2000);

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autoptr (GBytes) bytes = till_receipt_encode (reloaded, shop.store, profile);
      g_autoptr (GBytes) copy_bytes = till_receipt_encode_copy (reloaded, shop.store, profile, now);
      g_autoptr (TillPrinterSim) sim = print (bytes, widths[i]);
      g_autoptr (TillPrinterSim) copy = print (copy_bytes, widths[i]);
      g_autofree char *text = joined_text (sim);
      g_autofree char *sv_balance = g_strdup_printf ("  %s", _ ("Card balance"));

      save_png (sim, pngs[i]);
      assert_row (sim, _ ("Member"), "138****1234");
      assert_row (sim, _ ("Points earned"), earned);
      assert_row (sim, _ ("Points balance"), balance);
      assert_row (sim, _ ("Stored value"), "30.00");
      /* ¥110.00 on the card, ¥30.00 paid: ¥80.00, not today's ¥60.00. */
      assert_row (sim, sv_balance, "￥80.00");
      assert_row (copy, sv_balance, "￥80.00");
      assert_row (copy, _ ("Member"), "138****1234");
      ck_assert_ptr_null (strstr (text, "13812341234"));
      ck_assert_ptr_null (strstr (text, account->card_no));
      ck_assert_uint_lt (line_index (sim, _ ("Total")), line_index (sim, _ ("Member")));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
    }
}
END_TEST

/* /hw/receipt/members/no-member: a sale without a member prints no member
 * block. */
START_TEST (test_no_member_block)
{
  g_autoptr (TillSale) sale = commit_weighed_sale ();
  g_autoptr (GBytes) bytes = till_receipt_encode (sale, shop.store, NULL);
  g_autoptr (TillPrinterSim) sim = print (bytes, 576);
  g_autofree char *prefix = g_strconcat (_ ("Member"), " ", NULL);

  ck_assert_ptr_null (find_line (sim, prefix));
  ck_assert_ptr_null (find_line (sim, _ ("Points earned")));
}
END_TEST

/* /hw/receipt/members/top-up: the top-up slip (储值充值凭条): the store, the
 * title, member and card masked, amount, bonus, how it was paid, the balance
 * after it, cashier, time and the signature line, on both widths; a reprint
 * after a later top-up prints the same balance. */
START_TEST (test_top_up_slip)
{
  g_autoptr (TillMemberKey) key = test_member_key ();
  g_autoptr (TillMember) member = register_member (key);
  g_autoptr (TillStoredValueAccount) account = NULL;
  g_autoptr (TillStoredValueAccount) after = NULL;
  g_autoptr (GPtrArray) top_ups = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) missing = NULL;
  g_autofree char     *uuid = NULL;
  g_autofree char     *masked_card = NULL;
  const TillPaperWidth papers[] = { TILL_PAPER_80MM, TILL_PAPER_58MM };
  const guint          widths[] = { 576, 384 };
  const char          *pngs[] = { "top-up-80.png", "top-up-58.png" };

  account = till_stored_value_top_up (shop.store, shop.journal, shop.cashier, member->id, 30000,
                                      "cash", &error);
  ck_assert_msg (account != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq (account->balance, 11000 + 34000);
  top_ups = till_stored_value_list_top_ups (shop.store, member->id, &error);
  ck_assert_uint_eq (top_ups->len, 2);
  uuid = g_strdup (((TillStoredValueTopUp *) top_ups->pdata[0])->uuid);
  masked_card = till_stored_value_mask_card (account->card_no);
  /* A later top-up: the slip still shows the balance after this one. */
  after = till_stored_value_top_up (shop.store, shop.journal, shop.cashier, member->id, 5000,
                                    "wechat", &error);
  ck_assert_msg (after != NULL, "%s", error ? error->message : "");

  for (guint i = 0; i < G_N_ELEMENTS (papers); i++)
    {
      g_autoptr (TillPrinterProfile) profile = till_printer_profile_new (papers[i]);
      g_autoptr (GBytes) bytes = till_receipt_encode_top_up (shop.store, uuid, profile, &error);
      g_autoptr (TillPrinterSim) sim = NULL;
      g_autofree char *text = NULL;
      g_auto (GStrv) title_words = NULL;

      ck_assert_msg (bytes != NULL, "%s", error ? error->message : "");
      sim = print (bytes, widths[i]);
      text = joined_text (sim);
      save_png (sim, pngs[i]);
      ck_assert_ptr_nonnull (strstr (text, "好邻居便利店"));
      /* The title in double size may wrap on 58 mm: word by word. */
      title_words = g_strsplit (_ ("STORED-VALUE TOP-UP"), " ", -1);
      for (guint w = 0; title_words[w] != NULL; w++)
        ck_assert_msg (strstr (text, title_words[w]) != NULL, "%s", title_words[w]);
      assert_row (sim, _ ("Member"), "138****1234");
      assert_row (sim, _ ("Card"), masked_card);
      assert_row (sim, _ ("Top-up"), "300.00");
      assert_row (sim, _ ("Bonus"), "40.00");
      assert_row (sim, _ ("Paid by"), _ ("Cash"));
      assert_row (sim, _ ("Balance"), "￥450.00");
      assert_row (sim, _ ("Cashier"), "王小明 (1001)");
      ck_assert_ptr_nonnull (find_line (sim, _ ("Date")));
      ck_assert_ptr_nonnull (find_line (sim, _ ("Customer signature")));
      ck_assert_ptr_null (strstr (text, account->card_no));
      ck_assert_ptr_null (strstr (text, "13812341234"));
      check_fits (sim, papers[i] == TILL_PAPER_80MM ? 48 : 32);
    }

  missing = till_receipt_encode_top_up (shop.store, "no-such-top-up", NULL, &error);
  ck_assert_ptr_null (missing);
  ck_assert (g_error_matches (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID));
}
END_TEST

static Suite *
receipt_suite (void)
{
  Suite *suite = suite_create ("/hw/receipt");
  TCase *golden = tcase_create ("/hw/receipt/golden");
  TCase *content = tcase_create ("/hw/receipt/content");
  TCase *qr = tcase_create ("/hw/receipt/qr");
  TCase *refund = tcase_create ("/hw/receipt/refund");
  TCase *tenders = tcase_create ("/hw/receipt/tenders");
  TCase *promotions = tcase_create ("/hw/receipt/promotions");
  TCase *members = tcase_create ("/hw/receipt/members");

  tcase_add_checked_fixture (golden, shop_setup, shop_teardown);
  tcase_add_test (golden, test_golden);
  suite_add_tcase (suite, golden);

  tcase_add_checked_fixture (content, shop_setup, shop_teardown);
  tcase_add_test (content, test_weighed_sale_content);
  tcase_add_test (content, test_long_name_sale);
  tcase_add_test (content, test_chinese_receipt);
  tcase_add_test (content, test_discounts);
  tcase_add_test (content, test_exchange_sale);
  tcase_add_test (content, test_exchange_all_credit);
  suite_add_tcase (suite, content);

  tcase_add_checked_fixture (qr, shop_setup, shop_teardown);
  tcase_add_test (qr, test_qr_payload);
  tcase_add_test (qr, test_drawer_kick);
  tcase_add_test (qr, test_test_page);
  suite_add_tcase (suite, qr);

  tcase_add_checked_fixture (refund, shop_setup, shop_teardown);
  tcase_add_test (refund, test_refund_with_receipt);
  tcase_add_test (refund, test_refund_without_receipt);
  tcase_add_test (refund, test_refund_method_labels);
  suite_add_tcase (suite, refund);

  tcase_add_checked_fixture (tenders, shop_setup, shop_teardown);
  tcase_add_test (tenders, test_mixed_tenders);
  tcase_add_test (tenders, test_voucher_face_value);
  tcase_add_test (tenders, test_mixed_refund);
  tcase_add_test (tenders, test_mixed_chinese);
  suite_add_tcase (suite, tenders);

  tcase_add_checked_fixture (promotions, shop_setup, shop_teardown);
  tcase_add_test (promotions, test_promotion_receipt);
  tcase_add_test (promotions, test_no_saving_lines);
  tcase_add_test (promotions, test_promotion_refund);
  tcase_add_test (promotions, test_demo_promotion_receipt);
  suite_add_tcase (suite, promotions);

  tcase_add_checked_fixture (members, shop_setup, shop_teardown);
  tcase_add_test (members, test_member_receipt);
  tcase_add_test (members, test_no_member_block);
  tcase_add_test (members, test_top_up_slip);
  suite_add_tcase (suite, members);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (receipt_suite ());
}
